package dev.glia.policy.sandbox;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.util.Locale;

/**
 * Hosts every call into one policy instance: arms its private gauge before the call and disarms
 * it after, so no policy code runs outside a call on budget left over; turns whatever escapes
 * into a contained failure that names the policy and, where it can, the line; pauses the clock
 * of an enclosing policy while a nested one runs (a batch priority inside the router's send), so
 * each is charged its own time; and keeps the run-wide time budget.
 *
 * <p>Threading: one thread calls a policy instance at a time (each simulation thread has its own
 * instances; the router calls its policies from its routing thread). The gauge's counters are
 * static fields of the instance's own loader, so a second thread entering while a call runs would
 * share them: it is refused. Handing an instance from one thread to another between calls is
 * safe (the release and acquire of the owner order everything the call wrote). The nesting of
 * calls is tracked per thread.
 */
final class Guard {
    private static final ThreadLocal<Guard> ACTIVE = new ThreadLocal<>();
    private static final VarHandle OWNER;

    static {
        try {
            OWNER = MethodHandles.lookup().findVarHandle(Guard.class, "owner", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final MethodHandle reset;
    private final MethodHandle tripped;
    private final MethodHandle extendDeadline;
    private final Budget budget;
    private final ClassLoader loader;
    private final String policy;
    private Guard outer;
    private long started;
    private long spent;
    /** The thread inside a call to this instance, or null between calls. */
    @SuppressWarnings("unused") // through OWNER
    private volatile Thread owner;

    Guard(ClassLoader loader, Budget budget, String policy) {
        this.budget = budget;
        this.loader = loader;
        this.policy = policy;
        try {
            Class<?> gauge = Class.forName(Instrumenter.GAUGE.replace('/', '.'), true, loader);
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            reset = lookup.findStatic(gauge, "reset",
                    MethodType.methodType(void.class, long.class, long.class, long.class, int.class));
            tripped = lookup.findStatic(gauge, "tripped", MethodType.methodType(String.class));
            extendDeadline = lookup.findStatic(gauge, "extendDeadline", MethodType.methodType(void.class, long.class));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot arm the policy's gauge", e);
        }
    }

    /** Before a call: the run-wide budget is checked, the gauge armed, the enclosing policy's clock paused. */
    void enter() {
        Thread self = Thread.currentThread();
        Thread other = (Thread) OWNER.compareAndExchange(this, null, self);
        if (other == self) {
            throw new PolicyError(policy + " was called again from inside its own call", null);
        }
        if (other != null) {
            throw new ConcurrentPolicyCall(policy + " was called by two threads at once; one thread at a time may"
                    + " call a policy instance");
        }
        if (spent > budget.runNanos()) {
            owner = null;
            throw new PolicyError(policy + " used " + seconds(spent) + " s over this run, more than its run budget of "
                    + seconds(budget.runNanos()) + " s (each call is fast enough, but together they are not)", null);
        }
        outer = ACTIVE.get();
        ACTIVE.set(this);
        started = System.nanoTime();
        try {
            reset.invokeExact(budget.steps(), budget.cells(), started + budget.deadlineNanos(), budget.stackSlots());
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** After a call, however it ended. */
    void exit() {
        long elapsed = System.nanoTime() - started;
        spent += elapsed;
        disarm();
        ACTIVE.set(outer);
        if (outer != null) {
            outer.pause(elapsed);
        }
        outer = null;
        owner = null;
    }

    private void disarm() {
        try {
            reset.invokeExact(0L, 0L, 0L, 0);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private void pause(long nanos) {
        try {
            extendDeadline.invokeExact(nanos);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** After a call that returned normally: a budget overrun the policy swallowed still fails it. */
    void check(String why) {
        if (why != null) {
            throw new PolicyError(policy + " ran past its budget: " + why + " (the policy caught and hid the overrun)",
                    null);
        }
    }

    /** The reason the gauge tripped during the call just made, read before {@link #exit()} disarms it. */
    String trippedReason() {
        try {
            return (String) tripped.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Translates what escaped a policy call into a contained failure. A nested policy's failure
     * ({@link PolicyAbort}) and the host's own {@link dev.glia.policy.PolicyViolation} (an invalid
     * decision) pass unchanged; anything else becomes a {@link PolicyError} holding only strings,
     * so no policy code (an overridden {@code getMessage}, say) runs later outside the budget.
     */
    Throwable contain(Throwable t, String why) {
        if (t instanceof PolicyAbort) {
            return t;
        }
        String where = where(t);
        if (t instanceof BudgetExceeded || why != null) {
            return new PolicyError(policy + " ran past its budget: " + (why != null ? why : t.getMessage()) + where, null);
        }
        if (t instanceof StackOverflowError) {
            return new PolicyError(policy + " recursed too deeply (StackOverflowError)" + where, null);
        }
        if (t instanceof OutOfMemoryError) {
            return new PolicyError(policy + " ran the host out of memory (OutOfMemoryError)" + where + "; it allocates "
                    + "too much in one call, or keeps growing what it holds across calls (fields, collections)", null);
        }
        if (t instanceof dev.glia.policy.PolicyViolation v && v.getClass() == dev.glia.policy.PolicyViolation.class) {
            return v;
        }
        return new PolicyError(policy + " " + describe(t) + where, null);
    }

    /** A JDK exception's class and message; for a class the policy defined, its name only. */
    private String describe(Throwable t) {
        Class<?> type = t.getClass();
        if (type.getClassLoader() == loader) {
            return "threw " + Printable.of(type.getName(), 200) + " (a policy-defined exception; its message is not read)";
        }
        String message = t.getMessage();
        return "threw " + type.getSimpleName() + (message == null ? "" : ": " + Printable.of(message));
    }

    /** " at Policy.java:12", the policy's innermost line in the trace, or nothing. */
    private String where(Throwable t) {
        if (t.getClass().getClassLoader() == loader) {
            return ""; // a policy-defined exception could override getStackTrace: nothing of it is called
        }
        for (StackTraceElement e : t.getStackTrace()) {
            if ("glia-policy".equals(e.getClassLoaderName()) && e.getLineNumber() > 0
                    && !e.getClassName().startsWith("dev.glia.")) {
                return " at " + Printable.of(e.getFileName(), 100) + ":" + e.getLineNumber();
            }
        }
        return "";
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1e9);
    }
}
