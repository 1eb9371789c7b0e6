package dev.glia.policy.sandbox;

import java.lang.reflect.Array;
import java.lang.reflect.RecordComponent;
import java.util.BitSet;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * The budget counters instrumented policy code calls into. Never used from this class loader:
 * each policy class loader defines its own copy of these bytes, so every loaded policy (one per
 * simulation thread) has private counters and the hot path is a static decrement, not a lookup.
 *
 * <p>Three budgets per call: steps (method entries, loop iterations, and work done inside the JDK
 * on the policy's behalf, charged in proportion to the sizes of the arguments before the JDK
 * does it), array cells (allocations, the policy's and the JDK's), and stack slots (so that no
 * recursion reaches a real {@link StackOverflowError}, which could strike inside a JDK class's
 * static initialiser and break that class for the whole JVM). The wall-clock deadline is checked
 * whenever a slice of steps runs out, and at every large charge.
 */
public final class Gauge {
    /** Steps left in the current slice; the hot path only decrements and tests this. */
    public static int steps;
    /** Steps left in the call's budget beyond the current slice. */
    public static long remaining;
    public static long cells;
    public static long deadline;
    public static String tripped;
    /** Stack slots in use by the policy's frames in this call. */
    public static int depth;
    public static int maxDepth;
    /** Deterministic identities handed out to policy objects, in the order they are first asked for. */
    private static int identities;

    /** Small enough that the deadline is checked every few microseconds of policy code. */
    private static final int SLICE = 1 << 12;
    /** A charge this large checks the deadline at once, before the JDK does the work. */
    private static final long LARGE = 1 << 10;
    /** How deep {@link #deep} follows nested containers before calling the structure too deep. */
    private static final int NESTING = 64;

    private Gauge() {
    }

    /** Before every loop back-edge. */
    public static void tick() {
        if (--steps < 0) {
            refill();
        }
    }

    /**
     * At every method entry: one step, and {@code frame} stack slots until the method returns
     * (the method restores {@link #depth} to the value this returns when it returns or catches).
     */
    public static int enter(int frame) {
        if (--steps < 0) {
            refill();
        }
        int base = depth;
        int top = base + frame;
        if (top > maxDepth || top < 0) {
            trip("recursed too deeply (more than " + maxDepth + " stack slots of policy frames); use a loop or an "
                    + "explicit stack");
        }
        depth = top;
        return base;
    }

    /** Every slice: the budget and the deadline are checked here, off the hot path. */
    private static void refill() {
        if (tripped != null) {
            trip(tripped);
        }
        if (remaining <= 0) {
            trip("step budget exceeded (a loop that does not end, or too much work in one call)");
        }
        if (System.nanoTime() > deadline) {
            trip("per-call deadline exceeded");
        }
        int slice = (int) Math.min(remaining, SLICE);
        remaining -= slice;
        steps = slice - 1;
    }

    /** Work the JDK is about to do for the policy, in steps. */
    public static void work(long units) {
        if (units <= 0) {
            return; // a size a policy's own CharSequence or Collection reported as negative buys nothing
        }
        if (units < steps && units < LARGE) {
            steps -= (int) units;
            return;
        }
        remaining -= units - Math.max(steps, 0);
        steps = 0;
        if (remaining < 0) {
            trip("step budget exceeded (a JDK call asked to do " + units + " steps of work)");
        }
        if (System.nanoTime() > deadline) {
            trip("per-call deadline exceeded");
        }
    }

    /** Before every array allocation, with its element count. */
    public static void alloc(int count) {
        cells -= Math.max(count, 0);
        if (cells < 0 || tripped != null) {
            trip(tripped != null ? tripped : "allocation budget exceeded (an array of " + count + " elements)");
        }
    }

    /** Memory the JDK is about to allocate for the policy (characters, elements), in cells. */
    public static void cells(long count) {
        cells -= Math.max(count, 0);
        if (cells < 0 || tripped != null) {
            trip(tripped != null ? tripped : "allocation budget exceeded (a JDK call asked for " + count + " cells)");
        }
    }

    // ---- charges the instrumenter emits before JDK calls ----------------------------------------

    /** A call whose work grows with the size of {@code o} (a string, collection, map or array). */
    public static void sized(Object o) {
        work(1 + size(o));
    }

    /** A call that copies {@code o}: work and memory in proportion to its size. */
    public static void copied(Object o) {
        long n = size(o);
        cells(n);
        work(1 + n);
    }

    /** A call that allocates by a count argument (capacities, lengths, bit indexes). */
    public static void capacity(int n) {
        cells(n);
        work(1 + Math.max(n, 0) / 16);
    }

    /** A {@code BitSet} call that may grow the set to hold bit {@code index}: the words it adds. */
    public static void bits(Object set, int index) {
        long words = Math.max(index, 0) / 64 + 1;
        long have = set instanceof BitSet b ? b.size() / 64 : 0;
        cells(Math.max(0, words - have));
        work(1 + Math.max(0, words - have));
    }

    /** {@code new BitSet(nbits)}. */
    public static void bits(int nbits) {
        long words = Math.max(nbits, 0) / 64 + 1;
        cells(words);
        work(1 + words);
    }

    /** A substring search: naive matching costs the haystack's length times the needle's. */
    public static void match(Object haystack, Object needle) {
        long n = size(haystack);
        work(1 + n * (1 + Math.min(size(needle), n)));
    }

    /** {@code String.replace(target, replacement)}: the search, and an output up to n times the replacement. */
    public static void replace(Object text, Object target, Object replacement) {
        match(text, target);
        long n = size(text);
        long out = n + (n + 1) * size(replacement);
        cells(out);
        work(out);
    }

    /** {@code s.repeat(count)}: the output's length. */
    public static void repeat(Object s, int count) {
        long out = size(s) * Math.max(count, 0);
        cells(out);
        work(1 + out);
    }

    /** A sort: n log n comparisons, each as costly as the elements compared (long strings compare slowly). */
    public static void sort(Object o) {
        long n = size(o);
        long log = 64 - Long.numberOfLeadingZeros(n + 1);
        work(1 + log * Math.max(n, deepSize(o, 0)));
    }

    /** A value hashed or compared by content (a key, an element searched for): its whole structure. */
    public static void deep(Object o) {
        work(1 + deepSize(o, 0));
    }

    /** {@code collection.contains(x)}, {@code indexOf}, {@code remove(Object)}: x compared with every element. */
    public static void search(Object collection, Object x) {
        long n = size(collection);
        long d = deepSize(x, 0);
        work(1 + n * (1 + d));
    }

    /** {@code removeAll}, {@code retainAll}, {@code containsAll}: every element of one looked up in the other. */
    public static void cross(Object a, Object b) {
        long na = size(a);
        long nb = size(b);
        work(1 + na * nb + deepSize(a, 0) + deepSize(b, 0));
    }

    /** Content equality of two structures. */
    public static void compared(Object a, Object b) {
        work(1 + Math.min(deepSize(a, 0), deepSize(b, 0)));
    }

    /** The size a JDK method works in proportion to: characters, elements, entries or words. */
    public static long size(Object o) {
        if (o == null) {
            return 0;
        }
        if (o instanceof CharSequence s) {
            return Math.max(0, s.length());
        }
        if (o instanceof Collection<?> c) {
            return Math.max(0, c.size());
        }
        if (o instanceof Map<?, ?> m) {
            return Math.max(0, m.size());
        }
        if (o instanceof StringJoiner j) {
            return j.length();
        }
        if (o instanceof BitSet b) {
            return (b.length() + 63) / 64;
        }
        if (o.getClass().isArray()) {
            return Array.getLength(o);
        }
        return 1;
    }

    /**
     * What comparing or hashing {@code o} by content costs: its elements, the elements of nested
     * containers and the characters of strings, counted as the JDK would visit them (shared
     * substructures once per visit). The walk charges itself as it goes, so an exponential
     * structure trips the budget here instead of running without bound inside the JDK.
     */
    private static long deepSize(Object o, int nesting) {
        if (o == null || o instanceof Number || o instanceof Boolean || o instanceof Character || o instanceof Enum<?>) {
            return 1;
        }
        if (o instanceof CharSequence s) {
            return 1 + Math.max(0, s.length());
        }
        if (nesting > NESTING) {
            trip("a structure nested more than " + NESTING + " levels deep was hashed or compared by content");
        }
        long n = 1;
        if (o instanceof Collection<?> c) {
            for (Object e : c) {
                n += deepSize(e, nesting + 1);
                work(1);
            }
        } else if (o instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                n += deepSize(e.getKey(), nesting + 1) + deepSize(e.getValue(), nesting + 1);
                work(1);
            }
        } else if (o instanceof Map.Entry<?, ?> e) {
            n += deepSize(e.getKey(), nesting + 1) + deepSize(e.getValue(), nesting + 1);
        } else if (o instanceof Optional<?> opt) {
            n += opt.isPresent() ? deepSize(opt.get(), nesting + 1) : 0;
        } else if (o instanceof Object[] a) {
            for (Object e : a) {
                n += deepSize(e, nesting + 1);
                work(1);
            }
        } else if (o.getClass().isArray()) {
            n += Array.getLength(o);
        } else if (o instanceof Record r) {
            for (RecordComponent rc : r.getClass().getRecordComponents()) {
                n += deepSize(component(rc, r), nesting + 1);
            }
        }
        return n;
    }

    /** A record component's value, through its accessor (the policy's code, instrumented like the rest). */
    static Object component(RecordComponent rc, Record r) {
        try {
            java.lang.reflect.Method accessor = rc.getAccessor();
            accessor.setAccessible(true);
            return accessor.invoke(r);
        } catch (java.lang.reflect.InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- identities -------------------------------------------------------------------------------

    /** The next deterministic identity: 1, 2, 3, … in the order the policy first needs them. */
    public static int nextIdentity() {
        return ++identities;
    }

    // ---- arming and tripping ----------------------------------------------------------------------

    public static void reset(long stepBudget, long cellBudget, long deadlineNanos, int stackSlots) {
        // the first slice is loaded here, so that calls shorter than a slice never leave the hot
        // path and the JIT compiles refill() as the rare branch it is
        steps = (int) Math.min(stepBudget, SLICE);
        remaining = stepBudget - steps;
        cells = cellBudget;
        deadline = deadlineNanos;
        tripped = null;
        depth = 0;
        maxDepth = stackSlots;
    }

    /** Moves the deadline later: the time a nested policy call took is not this policy's. */
    public static void extendDeadline(long nanos) {
        deadline += nanos;
    }

    public static String tripped() {
        return tripped;
    }

    /** Once tripped, every later step or allocation of the call trips again, so an overrun cannot be swallowed. */
    private static void trip(String why) {
        if (tripped == null) {
            tripped = why;
        }
        steps = 0;
        remaining = 0;
        cells = 0;
        throw new BudgetExceeded(tripped);
    }
}
