package dev.glia.policy.sandbox;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/** Arms a policy instance's private gauge before each call and turns overruns into contained failures. */
final class Guard {
    private final MethodHandle reset;
    private final MethodHandle tripped;
    private final Budget budget;

    Guard(ClassLoader loader, Budget budget) {
        this.budget = budget;
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

    /** Translates what escaped a policy call into a contained failure; policy exceptions pass unchanged. */
    RuntimeException contain(Throwable t) {
        if (t instanceof BudgetExceeded) {
            return new PolicyError("ran past its budget: " + t.getMessage(), null);
        }
        if (t instanceof StackOverflowError) {
            return new PolicyError("recursed too deeply (StackOverflowError)", null);
        }
        if (t instanceof OutOfMemoryError) {
            return new PolicyError("exhausted the heap (OutOfMemoryError); allocate less per call", null);
        }
        if (t instanceof RuntimeException r) {
            String why = trippedReason();
            return why != null ? new PolicyError("ran past its budget: " + why, r) : r;
        }
        return new PolicyError(t.getClass().getSimpleName() + ": " + t.getMessage(), t);
    }

    private String trippedReason() {
        try {
            return (String) tripped.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
