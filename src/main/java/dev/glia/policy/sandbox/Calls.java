package dev.glia.policy.sandbox;

import java.lang.reflect.Array;
import java.lang.reflect.RecordComponent;
import java.util.BitSet;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collector;
import java.util.stream.Collectors;
import java.util.stream.DoubleStream;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * What the instrumenter calls instead of JDK methods whose results would depend on identity hash
 * codes, the host's locale or time zone, or whose work cannot be charged before the call: text
 * and hash conversion, formatting, joining, stream sources and sorts. Like {@link Gauge}, each
 * policy class loader defines its own copy, so every charge lands on that policy's counters.
 *
 * <p>Text and hashes follow the JDK's formats for values (strings, numbers, collections, maps,
 * records); objects of the policy's own classes get a deterministic identity ({@link Identified});
 * arrays are shown and hashed by content; a value that has nothing deterministic to offer (a
 * lambda, a stream, a comparator) is refused with an exception that says so.
 */
public final class Calls {
    private static final int NESTING = 64;
    private static final Pattern SPECIFIER = Pattern.compile("%(\\d+\\$)?([-#+ 0,(<]*)?(\\d+)?(\\.\\d+)?([tT])?([a-zA-Z%])");
    private static final Pattern IDENTITY = Pattern.compile("@[0-9a-f]{4,}");
    private static final Pattern HOST_CLASS = Pattern.compile("dev\\.glia\\.(?!policy\\.[A-Z])[\\w.$]+");
    private static final int MESSAGE_LIMIT = 1000;

    private Calls() {
    }

    // ---- text ---------------------------------------------------------------------------------------

    /** {@code String.valueOf(o)}, {@code o.toString()}, string concatenation. */
    public static String str(Object o) {
        StringBuilder out = new StringBuilder();
        append(out, o, 0);
        return out.toString();
    }

    /** {@code Objects.toString(o, fallback)}. */
    public static String strOr(Object o, String fallback) {
        return o == null ? fallback : str(o);
    }

    /** {@code Arrays.toString(Object[])} and {@code Arrays.deepToString}. */
    public static String strArray(Object[] a) {
        return a == null ? "null" : str(a);
    }

    public static StringBuilder appendTo(StringBuilder sb, Object o) {
        String s = str(o);
        Gauge.copied(s);
        return sb.append(s);
    }

    public static StringBuilder insertInto(StringBuilder sb, int offset, Object o) {
        String s = str(o);
        Gauge.work(1 + sb.length());
        Gauge.copied(s);
        return sb.insert(offset, s);
    }

    private static void append(StringBuilder out, Object o, int nesting) {
        Gauge.work(1);
        if (nesting > NESTING) {
            throw new IllegalArgumentException("cannot turn a structure nested more than " + NESTING
                    + " levels deep into text");
        }
        if (o == null) {
            text(out, "null");
        } else if (o instanceof String s) {
            text(out, s);
        } else if (o instanceof Number || o instanceof Boolean || o instanceof Character || o instanceof CharSequence
                || o instanceof BitSet || o instanceof StringJoiner) {
            Gauge.copied(o);
            text(out, o.toString());
        } else if (o instanceof Enum<?> e) {
            text(out, own(e) ? e.toString() : e.name());
        } else if (o instanceof Throwable t) {
            text(out, own(t) ? t.toString() : t.getClass().getName() + (message(t) == null ? "" : ": " + message(t)));
        } else if (o instanceof Record r) {
            text(out, own(r) ? r.toString() : opaque(o, "text"));
        } else if (own(o)) {
            if (o.getClass().isHidden()) {
                throw new IllegalArgumentException("a lambda has no deterministic text (its name and identity differ "
                        + "between runs); describe what it does instead");
            }
            text(out, o.toString());
        } else if (o instanceof Map.Entry<?, ?> e) {
            append(out, e.getKey(), nesting + 1);
            text(out, "=");
            append(out, e.getValue(), nesting + 1);
        } else if (o instanceof Map<?, ?> m) {
            text(out, "{");
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                text(out, first ? "" : ", ");
                first = false;
                append(out, e.getKey() == m ? "(this Map)" : e.getKey(), nesting + 1);
                text(out, "=");
                append(out, e.getValue() == m ? "(this Map)" : e.getValue(), nesting + 1);
            }
            text(out, "}");
        } else if (o instanceof Collection<?> c) {
            text(out, "[");
            boolean first = true;
            for (Object e : c) {
                text(out, first ? "" : ", ");
                first = false;
                append(out, e == c ? "(this Collection)" : e, nesting + 1);
            }
            text(out, "]");
        } else if (o.getClass().isArray()) {
            int n = Array.getLength(o);
            text(out, "[");
            for (int i = 0; i < n; i++) {
                text(out, i == 0 ? "" : ", ");
                append(out, Array.get(o, i), nesting + 1);
            }
            text(out, "]");
        } else if (o instanceof Optional<?> opt) {
            if (opt.isPresent()) {
                text(out, "Optional[");
                append(out, opt.get(), nesting + 1);
                text(out, "]");
            } else {
                text(out, "Optional.empty");
            }
        } else if (o instanceof OptionalInt || o instanceof OptionalLong || o instanceof OptionalDouble) {
            text(out, o.toString());
        } else {
            text(out, host(o) ? hostText(o) : opaque(o, "text"));
        }
    }

    private static void text(StringBuilder out, String s) {
        Gauge.work(1 + s.length());
        Gauge.cells(s.length());
        out.append(s);
    }

    /** A host view (a request, a replica) describes itself; the others are named by the API interface they implement. */
    private static String hostText(Object o) {
        if (declares(o.getClass(), "toString")) {
            return o.toString();
        }
        return apiName(o);
    }

    private static String apiName(Object o) {
        for (Class<?> c = o.getClass(); c != null; c = c.getSuperclass()) {
            for (Class<?> i : c.getInterfaces()) {
                if (i.getName().startsWith("dev.glia.policy.")) {
                    return i.getSimpleName();
                }
            }
        }
        return "object";
    }

    private static String opaque(Object o, String what) {
        String kind = o.getClass().isHidden() ? "a lambda" : "a " + o.getClass().getSimpleName();
        throw new IllegalArgumentException(kind + " has no deterministic " + what
                + " (it would follow identity hash codes, which differ between runs); use its contents instead");
    }

    /** {@code String.format} and {@code formatted}: always in {@link Locale#ROOT}, paid for before formatting. */
    public static String format(String format, Object[] args) {
        if (format == null) {
            throw new NullPointerException("format");
        }
        long bound = format.length();
        Matcher m = SPECIFIER.matcher(format);
        Gauge.work(1 + format.length());
        while (m.find()) {
            if (m.group(5) != null) {
                throw new IllegalArgumentException("%" + m.group(5) + m.group(6) + " formats dates in the host's time zone; "
                        + "compute the fields you need from ClusterView.now()");
            }
            bound += 32;
            if (m.group(3) != null) {
                bound += Long.parseLong(m.group(3).length() > 10 ? "9999999999" : m.group(3));
            }
            if (m.group(4) != null) {
                bound += Long.parseLong(m.group(4).length() > 11 ? "9999999999" : m.group(4).substring(1));
            }
        }
        Object[] plain = args == null ? null : new Object[args.length];
        if (args != null) {
            for (int i = 0; i < args.length; i++) {
                Object a = args[i];
                plain[i] = a == null || a instanceof String || a instanceof Number || a instanceof Character
                        || a instanceof Boolean ? a : str(a);
                bound += plain[i] instanceof String s ? s.length() : 32;
            }
        }
        Gauge.work(bound);
        Gauge.cells(bound);
        return String.format(Locale.ROOT, format, plain);
    }

    public static String formatted(String format, Object[] args) {
        return format(format, args);
    }

    public static String upper(String s) {
        Gauge.copied(s);
        return s.toUpperCase(Locale.ROOT);
    }

    public static String lower(String s) {
        Gauge.copied(s);
        return s.toLowerCase(Locale.ROOT);
    }

    /** {@code String.join(delimiter, elements...)}: every element's length is paid for as it is joined. */
    public static String join(CharSequence delimiter, CharSequence[] elements) {
        return join(delimiter, java.util.Arrays.asList(elements));
    }

    public static String join(CharSequence delimiter, Iterable<? extends CharSequence> elements) {
        StringJoiner joiner = new StringJoiner(delimiter);
        for (CharSequence e : elements) {
            Gauge.copied(delimiter);
            Gauge.copied(e);
            joiner.add(e);
        }
        return joiner.toString();
    }

    public static Collector<CharSequence, ?, String> joining() {
        return Collectors.mapping(Calls::paid, Collectors.joining());
    }

    public static Collector<CharSequence, ?, String> joining(CharSequence delimiter) {
        return Collectors.mapping(e -> paid(e, delimiter), Collectors.joining(delimiter));
    }

    public static Collector<CharSequence, ?, String> joining(CharSequence delimiter, CharSequence prefix,
                                                             CharSequence suffix) {
        Gauge.copied(prefix);
        Gauge.copied(suffix);
        return Collectors.mapping(e -> paid(e, delimiter), Collectors.joining(delimiter, prefix, suffix));
    }

    private static CharSequence paid(CharSequence e) {
        Gauge.copied(e);
        return e;
    }

    private static CharSequence paid(CharSequence e, CharSequence delimiter) {
        Gauge.copied(delimiter);
        Gauge.copied(e);
        return e;
    }

    /** A JDK exception's message, without identity hashes or the host's class names. */
    public static String message(Throwable t) {
        if (own(t)) {
            return t.getMessage();
        }
        String m = t.getMessage();
        if (m == null) {
            return null;
        }
        m = IDENTITY.matcher(m).replaceAll("");
        m = HOST_CLASS.matcher(m).replaceAll("a Glia class");
        return m.length() > MESSAGE_LIMIT ? m.substring(0, MESSAGE_LIMIT) + "…" : m;
    }


    // ---- hashes -------------------------------------------------------------------------------------

    /** {@code o.hashCode()}, {@code Objects.hashCode(o)}. */
    public static int hash(Object o) {
        return hash(o, 0);
    }

    /** {@code Objects.hash(values...)}, {@code Arrays.hashCode(Object[])}, {@code Arrays.deepHashCode}. */
    public static int hashAll(Object[] values) {
        if (values == null) {
            return 0;
        }
        int h = 1;
        for (Object v : values) {
            h = 31 * h + hash(v, 1);
        }
        return h;
    }

    private static int hash(Object o, int nesting) {
        Gauge.work(1);
        if (nesting > NESTING) {
            throw new IllegalArgumentException("cannot hash a structure nested more than " + NESTING + " levels deep");
        }
        if (o == null) {
            return 0;
        }
        if (o instanceof String || o instanceof Number || o instanceof Boolean || o instanceof Character
                || o instanceof BitSet || o instanceof OptionalInt || o instanceof OptionalLong
                || o instanceof OptionalDouble) {
            Gauge.sized(o);
            return o.hashCode();
        }
        if (o instanceof Enum<?> e) {
            // Enum.hashCode is the identity hash, and final; the name is what the constant is
            Gauge.sized(e.name());
            return e.name().hashCode();
        }
        if (own(o)) {
            if (o.getClass().isHidden()) {
                throw new IllegalArgumentException("a lambda has no deterministic hash code (its identity differs "
                        + "between runs); hash what it stands for instead");
            }
            return o.hashCode();
        }
        if (o instanceof Map.Entry<?, ?> e) {
            return hash(e.getKey(), nesting + 1) ^ hash(e.getValue(), nesting + 1);
        }
        if (o instanceof Map<?, ?> m) {
            int h = 0;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                h += hash(e.getKey(), nesting + 1) ^ hash(e.getValue(), nesting + 1);
            }
            return h;
        }
        if (o instanceof Set<?> s) {
            int h = 0;
            for (Object e : s) {
                h += hash(e, nesting + 1);
            }
            return h;
        }
        if (o instanceof List<?> l) {
            int h = 1;
            for (Object e : l) {
                h = 31 * h + hash(e, nesting + 1);
            }
            return h;
        }
        if (o instanceof Collection<?>) {
            throw new IllegalArgumentException("a " + o.getClass().getSimpleName() + " hashes by identity; "
                    + "copy it into a List to hash its contents");
        }
        if (o instanceof Optional<?> opt) {
            return opt.isPresent() ? hash(opt.get(), nesting + 1) : 0;
        }
        if (o instanceof CharSequence s) {
            return hash(s.toString(), nesting);
        }
        if (o.getClass().isArray()) {
            int n = Array.getLength(o);
            int h = 1;
            for (int i = 0; i < n; i++) {
                h = 31 * h + hash(Array.get(o, i), nesting + 1);
            }
            return h;
        }
        if (host(o)) {
            return declares(o.getClass(), "hashCode") ? o.hashCode() : apiName(o).hashCode();
        }
        opaque(o, "hash code");
        return 0;
    }

    /** {@code super.hashCode()} from a policy class whose superclass is the JDK's. */
    public static int identity(Object o) {
        if (o instanceof Identified i) {
            return i.$glia$identity();
        }
        return hash(o);
    }

    /** {@code super.toString()} reaching {@link Object#toString()} from a policy class. */
    public static String identityText(Object o) {
        return o.getClass().getSimpleName() + "@" + Integer.toHexString(o.hashCode());
    }

    // ---- records ------------------------------------------------------------------------------------

    /** A record's generated {@code toString}, with its components converted deterministically. */
    public static String recordText(Object r) {
        StringBuilder out = new StringBuilder(r.getClass().getSimpleName()).append('[');
        RecordComponent[] components = r.getClass().getRecordComponents();
        for (int i = 0; i < components.length; i++) {
            text(out, (i == 0 ? "" : ", ") + components[i].getName() + "=");
            append(out, Gauge.component(components[i], (Record) r), 1);
        }
        return out.append(']').toString();
    }

    /** A record's generated {@code hashCode}, over its components' deterministic hashes. */
    public static int recordHash(Object r) {
        int h = 0;
        for (RecordComponent c : r.getClass().getRecordComponents()) {
            h = 31 * h + hash(Gauge.component(c, (Record) r), 1);
        }
        return h;
    }

    // ---- streams ------------------------------------------------------------------------------------

    /** A stream source: every element that flows out of it costs a step, so a huge range trips the budget. */
    public static <T> Stream<T> meter(Stream<T> s) {
        return s.peek(x -> Gauge.tick());
    }

    public static IntStream meter(IntStream s) {
        return s.peek(x -> Gauge.tick());
    }

    public static LongStream meter(LongStream s) {
        return s.peek(x -> Gauge.tick());
    }

    public static DoubleStream meter(DoubleStream s) {
        return s.peek(x -> Gauge.tick());
    }

    /** A sort in a stream: each element pays for its share of n log n comparisons before it is buffered. */
    public static <T> Stream<T> sorted(Stream<T> s) {
        return s.peek(x -> Gauge.work(32)).sorted();
    }

    public static <T> Stream<T> sorted(Stream<T> s, Comparator<? super T> comparator) {
        return s.peek(x -> Gauge.work(32)).sorted(comparator);
    }

    public static IntStream sorted(IntStream s) {
        return s.peek(x -> Gauge.work(32)).sorted();
    }

    public static LongStream sorted(LongStream s) {
        return s.peek(x -> Gauge.work(32)).sorted();
    }

    public static DoubleStream sorted(DoubleStream s) {
        return s.peek(x -> Gauge.work(32)).sorted();
    }


    // ---- whose object is it -------------------------------------------------------------------------

    /** Defined by this policy (its classes, its lambdas): the same loader that defined this copy of Calls. */
    private static boolean own(Object o) {
        return o.getClass().getClassLoader() == Calls.class.getClassLoader();
    }

    /** One of Glia's own objects handed to the policy (a view of a request, a replica, the cluster). */
    private static boolean host(Object o) {
        return o.getClass().getName().startsWith("dev.glia.");
    }

    private static boolean declares(Class<?> type, String method) {
        try {
            return type.getMethod(method).getDeclaringClass() != Object.class;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }
}
