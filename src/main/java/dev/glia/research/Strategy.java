package dev.glia.research;

/**
 * A way of searching for a better policy for the lab's component. It spends the session's budget
 * through the lab, writes its reasoning into the notebook, and may stop at any point: the
 * session keeps the best evaluation either way.
 */
public interface Strategy {
    String name();

    void search(Lab lab, Objective objective, Lab.Evaluation baseline, Notebook notebook);
}
