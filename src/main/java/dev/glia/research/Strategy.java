package dev.glia.research;

/**
 * A way of searching for a better policy for the lab's component. It spends the session's budget
 * through the lab, writes its reasoning into the notebook, and says why it stopped; a budget, the
 * model or a target may also stop it by an exception. The session keeps the best evaluation
 * either way.
 */
public interface Strategy {
    String name();

    Stop search(Lab lab, Objective objective, Lab.Evaluation baseline, Notebook notebook);

    /** Whether the strategy saw the bundled reference policies (the report says so). */
    boolean library();
}
