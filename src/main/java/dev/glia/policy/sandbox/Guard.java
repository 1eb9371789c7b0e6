package dev.glia.policy.sandbox;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/** Arms a policy instance's private gauge before each call and turns overruns into contained failures. */
final class Guard {
    private final MethodHandle reset;
    private final MethodHandle tripped;
    private final Budget budget;
    private final ClassLoader loader;

    Guard(ClassLoader loader, Budget budget) {
        this.budget = budget;
        this.loader = loader;
        try {
            Class<?> gauge = Class.forName(Instrumenter.GAUGE.replace('/', '.'), true, loader);
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            reset = lookup.findStatic(gauge, "reset", MethodType.methodType(void.class, long.class, long.class, long.class));
            tripped = lookup.findStatic(gauge, "tripped", MethodType.methodType(String.class));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot arm the policy's gauge", e);
        }
    }

    void arm() {
        try {
            reset.invokeExact(budget.steps(), budget.cells(), System.nanoTime() + budget.deadlineNanos());
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** After a call that returned normally: a budget overrun the policy swallowed still fails it. */
    void check() {
        String why = trippedReason();
        if (why != null) {
            throw new PolicyError("ran past its budget: " + why + " (the policy caught and hid the overrun)", null);
        }
    }

    /**
     * Translates what escaped a policy call into a contained failure. The host's own
     * {@link dev.glia.policy.PolicyViolation} (an invalid decision) passes unchanged; anything else
     * becomes a {@link PolicyError} holding only strings, so no policy code (an overridden
     * {@code getMessage}, say) runs later outside the budget.
     */
    RuntimeException contain(Throwable t) {
        String why = trippedReason();
        if (t instanceof BudgetExceeded || why != null) {
            return new PolicyError("ran past its budget: " + (why != null ? why : "budget exceeded"), null);
        }
        if (t instanceof StackOverflowError) {
            return new PolicyError("recursed too deeply (StackOverflowError)", null);
        }
        if (t instanceof OutOfMemoryError) {
            return new PolicyError("exhausted the heap (OutOfMemoryError); allocate less per call", null);
        }
        if (t instanceof dev.glia.policy.PolicyViolation v && v.getClass() == dev.glia.policy.PolicyViolation.class) {
            return v;
        }
        return new PolicyError(describe(t), null);
    }

    /** A JDK exception's class and message; for a class the policy defined, its name only. */
    private String describe(Throwable t) {
        Class<?> type = t.getClass();
        if (type.getClassLoader() == loader) {
            return "threw " + type.getName() + " (a policy-defined exception; its message is not read)";
        }
        String message = t.getMessage();
        return type.getSimpleName() + (message == null ? "" : ": " + message);
    }

    private String trippedReason() {
        try {
            return (String) tripped.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
