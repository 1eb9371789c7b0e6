package dev.glia.policy.sandbox;

import java.util.Map;
import java.util.Set;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * What each JDK call a policy may make costs, and which calls are replaced by {@link Calls}.
 * Work done inside the JDK is paid before the JDK does it, in proportion to what it can do: the
 * sizes of its receiver and arguments (a copy), their product (a naive substring search), the
 * deep size of a value hashed or compared by content, n log n for a sort. Calls that are O(1)
 * on every implementation a policy can reach are free; that is why {@code LinkedList} (whose
 * {@code get(i)} is linear) is not on the allow-list.
 */
final class JdkCalls {
    /** How a call is paid for; the instrumenter emits the matching charge before the call. */
    enum Cost {
        /** O(1) on every reachable implementation. */
        FREE,
        /** Work and memory in proportion to the sizes of the receiver and every reference argument. */
        COPY,
        /** Work in proportion to those sizes, allocating nothing (a scan, a comparison, a fill). */
        SCAN,
        /** {@code haystack.indexOf(needle)}: the product of the two lengths. */
        MATCH,
        /** {@code text.replace(target, replacement)}. */
        REPLACE,
        /** {@code s.repeat(count)}. */
        REPEAT,
        /** n log n over the receiver, or over the first argument of a static sort. */
        SORT,
        /** A key hashed and compared: the deep size of the first argument. */
        KEY,
        /** An element searched for in the receiver: size of the receiver times the deep size of the argument. */
        SEARCH,
        /** Every element of one collection looked up in the other. */
        CROSS,
        /** Equality by content of the receiver (or first argument) and the next argument. */
        COMPARED,
        /** Allocates by its int arguments (capacities, lengths, bit indexes), and copies its reference arguments. */
        CAPACITY,
        /** {@code BitSet} calls: growth to their bit-index arguments. */
        BITS,
        /** Builds an exception, whose constructor walks the stack. */
        THROWABLE
    }

    /** A replacement from {@link Calls}, taking the same operands (the receiver first). */
    record Shim(String name, String descriptor) {
    }

    static final String CALLS = "dev/glia/policy/sandbox/Calls";
    private static final String OBJ = "Ljava/lang/Object;";
    private static final String STR = "Ljava/lang/String;";

    private static final Set<String> VALUES = Set.of("java/lang/String", "java/lang/Integer", "java/lang/Long",
            "java/lang/Double", "java/lang/Float", "java/lang/Short", "java/lang/Byte", "java/lang/Character",
            "java/lang/Boolean");
    /** Owners whose every method is O(1) (apart from the exceptions listed in {@link #rule}). */
    private static final Set<String> FREE_OWNERS = Set.of("java/lang/Math", "java/lang/StrictMath", "java/lang/Integer",
            "java/lang/Long", "java/lang/Double", "java/lang/Float", "java/lang/Short", "java/lang/Byte",
            "java/lang/Character", "java/lang/Boolean", "java/lang/Number", "java/util/Iterator",
            "java/util/ListIterator", "java/util/Map$Entry", "java/util/Comparator", "java/util/Optional",
            "java/util/OptionalInt", "java/util/OptionalLong", "java/util/OptionalDouble",
            "java/util/random/RandomGenerator", "java/util/IntSummaryStatistics", "java/util/LongSummaryStatistics",
            "java/util/DoubleSummaryStatistics", "java/lang/Record", "java/lang/Enum", "java/lang/Object",
            "java/lang/Comparable", "java/lang/Iterable", "java/util/AbstractMap$SimpleEntry");
    static final Set<String> STREAMS = Set.of("java/util/stream/Stream", "java/util/stream/IntStream",
            "java/util/stream/LongStream", "java/util/stream/DoubleStream");
    private static final Set<String> LISTS = Set.of("java/util/List", "java/util/ArrayList");
    private static final Set<String> SETS = Set.of("java/util/Set", "java/util/LinkedHashSet", "java/util/TreeSet",
            "java/util/SortedSet", "java/util/NavigableSet");
    private static final Set<String> QUEUES = Set.of("java/util/Queue", "java/util/Deque", "java/util/ArrayDeque",
            "java/util/PriorityQueue");
    private static final Set<String> MAPS = Set.of("java/util/Map", "java/util/LinkedHashMap", "java/util/TreeMap",
            "java/util/SortedMap", "java/util/NavigableMap");
    private static final Set<String> SIZED_COLLECTIONS = Set.of("java/util/ArrayList", "java/util/ArrayDeque",
            "java/util/PriorityQueue", "java/util/LinkedHashMap", "java/util/LinkedHashSet");
    private static final Set<String> COLLECTION_FREE = Set.of("size", "isEmpty", "iterator", "listIterator",
            "subList", "headSet", "tailSet", "subSet", "descendingSet", "descendingIterator", "stream", "first", "last",
            "offer", "poll", "peek", "push", "pop", "element", "offerFirst", "offerLast", "addFirst", "addLast",
            "pollFirst", "pollLast", "peekFirst", "peekLast", "removeFirst", "removeLast", "getFirst", "getLast",
            "comparator");
    private static final Set<String> MAP_FREE = Set.of("size", "isEmpty", "keySet", "values", "entrySet", "firstKey",
            "lastKey", "firstEntry", "lastEntry", "pollFirstEntry", "pollLastEntry", "headMap", "tailMap", "subMap",
            "descendingMap", "navigableKeySet", "descendingKeySet", "comparator");
    private static final Set<String> MAP_KEYED = Set.of("get", "put", "containsKey", "remove", "getOrDefault",
            "putIfAbsent", "computeIfAbsent", "computeIfPresent", "compute", "merge", "replace", "floorKey",
            "ceilingKey", "higherKey", "lowerKey", "floorEntry", "ceilingEntry", "higherEntry", "lowerEntry");
    private static final Set<String> THROWABLES = Set.of("java/lang/Exception", "java/lang/RuntimeException",
            "java/lang/IllegalArgumentException", "java/lang/IllegalStateException", "java/lang/ArithmeticException",
            "java/lang/IndexOutOfBoundsException", "java/lang/ArrayIndexOutOfBoundsException",
            "java/lang/NullPointerException", "java/lang/UnsupportedOperationException", "java/lang/ClassCastException",
            "java/lang/NumberFormatException", "java/util/NoSuchElementException",
            "java/util/ConcurrentModificationException", "dev/glia/policy/PolicyViolation");

    /** Calls replaced wholesale, keyed by owner.name+descriptor. */
    private static final Map<String, Shim> SHIMS = Map.ofEntries(
            Map.entry("java/lang/String.valueOf(" + OBJ + ")" + STR, new Shim("str", "(" + OBJ + ")" + STR)),
            Map.entry("java/util/Objects.toString(" + OBJ + ")" + STR, new Shim("str", "(" + OBJ + ")" + STR)),
            Map.entry("java/util/Objects.toString(" + OBJ + STR + ")" + STR,
                    new Shim("strOr", "(" + OBJ + STR + ")" + STR)),
            Map.entry("java/util/Objects.hashCode(" + OBJ + ")I", new Shim("hash", "(" + OBJ + ")I")),
            Map.entry("java/util/Objects.hash([" + OBJ + ")I", new Shim("hashAll", "([" + OBJ + ")I")),
            Map.entry("java/util/Arrays.hashCode([" + OBJ + ")I", new Shim("hashAll", "([" + OBJ + ")I")),
            Map.entry("java/util/Arrays.deepHashCode([" + OBJ + ")I", new Shim("hashAll", "([" + OBJ + ")I")),
            Map.entry("java/util/Arrays.toString([" + OBJ + ")" + STR, new Shim("strArray", "([" + OBJ + ")" + STR)),
            Map.entry("java/util/Arrays.deepToString([" + OBJ + ")" + STR, new Shim("strArray", "([" + OBJ + ")" + STR)),
            Map.entry("java/lang/StringBuilder.append(" + OBJ + ")Ljava/lang/StringBuilder;",
                    new Shim("appendTo", "(Ljava/lang/StringBuilder;" + OBJ + ")Ljava/lang/StringBuilder;")),
            Map.entry("java/lang/StringBuilder.insert(I" + OBJ + ")Ljava/lang/StringBuilder;",
                    new Shim("insertInto", "(Ljava/lang/StringBuilder;I" + OBJ + ")Ljava/lang/StringBuilder;")),
            Map.entry("java/lang/String.format(" + STR + "[" + OBJ + ")" + STR,
                    new Shim("format", "(" + STR + "[" + OBJ + ")" + STR)),
            Map.entry("java/lang/String.formatted([" + OBJ + ")" + STR,
                    new Shim("formatted", "(" + STR + "[" + OBJ + ")" + STR)),
            Map.entry("java/lang/String.toUpperCase()" + STR, new Shim("upper", "(" + STR + ")" + STR)),
            Map.entry("java/lang/String.toLowerCase()" + STR, new Shim("lower", "(" + STR + ")" + STR)),
            Map.entry("java/lang/String.join(Ljava/lang/CharSequence;[Ljava/lang/CharSequence;)" + STR,
                    new Shim("join", "(Ljava/lang/CharSequence;[Ljava/lang/CharSequence;)" + STR)),
            Map.entry("java/lang/String.join(Ljava/lang/CharSequence;Ljava/lang/Iterable;)" + STR,
                    new Shim("join", "(Ljava/lang/CharSequence;Ljava/lang/Iterable;)" + STR)),
            Map.entry("java/util/stream/Collectors.joining()Ljava/util/stream/Collector;",
                    new Shim("joining", "()Ljava/util/stream/Collector;")),
            Map.entry("java/util/stream/Collectors.joining(Ljava/lang/CharSequence;)Ljava/util/stream/Collector;",
                    new Shim("joining", "(Ljava/lang/CharSequence;)Ljava/util/stream/Collector;")),
            Map.entry("java/util/stream/Collectors.joining(Ljava/lang/CharSequence;Ljava/lang/CharSequence;"
                            + "Ljava/lang/CharSequence;)Ljava/util/stream/Collector;",
                    new Shim("joining", "(Ljava/lang/CharSequence;Ljava/lang/CharSequence;Ljava/lang/CharSequence;)"
                            + "Ljava/util/stream/Collector;")));

    private JdkCalls() {
    }

    /**
     * The replacement for a call, or null. {@code toString()} and {@code hashCode()} on anything
     * but a string or a boxed value, and a JDK exception's message, always go through {@link Calls}.
     */
    static Shim shim(int opcode, String owner, String name, String desc) {
        Shim s = SHIMS.get(owner + "." + name + desc);
        if (s != null) {
            return s;
        }
        boolean virtual = opcode == Opcodes.INVOKEVIRTUAL || opcode == Opcodes.INVOKEINTERFACE;
        if (opcode == Opcodes.INVOKESPECIAL && owner.equals("java/lang/Object")) {
            if (name.equals("hashCode") && desc.equals("()I")) {
                return new Shim("identity", "(" + OBJ + ")I");
            }
            if (name.equals("toString") && desc.equals("()" + STR)) {
                return new Shim("identityText", "(" + OBJ + ")" + STR);
            }
        }
        if (virtual && !VALUES.contains(owner)) {
            if (name.equals("toString") && desc.equals("()" + STR)) {
                return new Shim("str", "(" + OBJ + ")" + STR);
            }
            if (name.equals("hashCode") && desc.equals("()I")) {
                return new Shim("hash", "(" + OBJ + ")I");
            }
            if ((name.equals("getMessage") || name.equals("getLocalizedMessage")) && desc.equals("()" + STR)) {
                return new Shim("message", "(Ljava/lang/Throwable;)" + STR);
            }
        }
        if (virtual && STREAMS.contains(owner) && name.equals("sorted")) {
            Type stream = Type.getObjectType(owner);
            Type[] args = Type.getArgumentTypes(desc);
            String shimDesc = "(" + stream.getDescriptor() + (args.length == 1 ? "Ljava/util/Comparator;" : "") + ")"
                    + stream.getDescriptor();
            return new Shim("sorted", shimDesc);
        }
        return null;
    }

    /** What a call to an allowed JDK method costs. */
    static Cost cost(int opcode, String owner, String name, String desc) {
        boolean init = name.equals("<init>");
        if (THROWABLES.contains(owner)) {
            return init ? Cost.THROWABLE : Cost.FREE;
        }
        if (FREE_OWNERS.contains(owner)) {
            boolean parses = name.startsWith("parse") || name.equals("decode")
                    || (name.equals("valueOf") || name.equals("equals")) && desc.contains("Ljava/lang/");
            return parses ? Cost.COPY : Cost.FREE;
        }
        if (owner.startsWith("java/util/function/") || owner.startsWith("dev/glia/policy/")) {
            return Cost.FREE;
        }
        if (owner.startsWith("java/util/stream/")) {
            return Cost.FREE; // stream sources are metered per element instead (see meters)
        }
        if (init) {
            if (desc.equals("()V")) {
                return Cost.FREE;
            }
            if (SIZED_COLLECTIONS.contains(owner) || owner.equals("java/lang/StringBuilder")) {
                return Cost.CAPACITY;
            }
            if (owner.equals("java/util/BitSet")) {
                return Cost.BITS;
            }
            return Cost.COPY;
        }
        switch (owner) {
            case "java/lang/String", "java/lang/CharSequence" -> {
                return switch (name) {
                    case "length", "charAt", "isEmpty", "codePointAt", "codePointBefore", "chars", "codePoints" ->
                            Cost.FREE;
                    case "valueOf", "copyValueOf" -> desc.startsWith("([C") ? Cost.COPY : Cost.FREE;
                    case "indexOf", "lastIndexOf", "contains" -> desc.startsWith("(" + STR)
                            || desc.startsWith("(Ljava/lang/CharSequence;") ? Cost.MATCH : Cost.COPY;
                    case "replace" -> desc.startsWith("(C") ? Cost.COPY : Cost.REPLACE;
                    case "repeat" -> Cost.REPEAT;
                    case "equals", "equalsIgnoreCase", "compareTo", "compareToIgnoreCase", "startsWith", "endsWith",
                         "regionMatches", "contentEquals", "isBlank", "hashCode", "codePointCount", "offsetByCodePoints" ->
                            Cost.SCAN;
                    default -> Cost.COPY;
                };
            }
            case "java/lang/StringBuilder" -> {
                return switch (name) {
                    case "length", "charAt", "setCharAt", "capacity", "trimToSize", "chars", "codePoints" -> Cost.FREE;
                    case "append" -> desc.startsWith("(L") || desc.startsWith("([") ? Cost.COPY : Cost.FREE;
                    case "indexOf", "lastIndexOf" -> Cost.MATCH;
                    case "ensureCapacity", "setLength" -> Cost.CAPACITY;
                    case "reverse", "delete", "deleteCharAt", "compareTo", "codePointCount" -> Cost.SCAN;
                    default -> Cost.COPY;
                };
            }
            case "java/util/Arrays" -> {
                return switch (name) {
                    case "sort" -> Cost.SORT;
                    case "asList", "stream" -> Cost.FREE;
                    case "copyOf", "copyOfRange" -> Cost.CAPACITY;
                    case "equals", "deepEquals" -> desc.contains("[Ljava/lang/Object;") ? Cost.COMPARED : Cost.SCAN;
                    case "fill", "hashCode", "binarySearch", "mismatch", "compare", "compareUnsigned", "setAll" ->
                            Cost.SCAN;
                    default -> Cost.COPY;
                };
            }
            case "java/util/Collections" -> {
                return switch (name) {
                    case "sort" -> Cost.SORT;
                    case "nCopies", "emptyList", "emptySet", "emptyMap", "emptyIterator", "emptyListIterator",
                         "emptySortedSet", "emptyNavigableSet", "emptySortedMap", "emptyNavigableMap", "singleton",
                         "singletonList", "singletonMap", "unmodifiableList", "unmodifiableSet",
                         "unmodifiableCollection", "unmodifiableMap", "unmodifiableSortedSet",
                         "unmodifiableNavigableSet", "unmodifiableSortedMap", "unmodifiableNavigableMap",
                         "reverseOrder", "swap" -> Cost.FREE;
                    case "disjoint", "indexOfSubList", "lastIndexOfSubList" -> Cost.CROSS;
                    case "frequency" -> Cost.SEARCH;
                    case "max", "min", "reverse", "rotate", "fill", "binarySearch" -> Cost.SCAN;
                    default -> Cost.COPY;
                };
            }
            case "java/util/Objects" -> {
                return switch (name) {
                    case "equals", "deepEquals" -> Cost.COMPARED;
                    default -> Cost.FREE;
                };
            }
            case "java/util/BitSet" -> {
                return name.equals("get") && desc.equals("(I)Z") || name.equals("length") || name.equals("size")
                        || name.equals("isEmpty") ? Cost.FREE : Cost.BITS;
            }
            case "java/util/StringJoiner" -> {
                return name.equals("length") ? Cost.FREE : Cost.COPY;
            }
            case "java/lang/Iterable" -> {
                return name.equals("forEach") ? Cost.SCAN : Cost.FREE;
            }
            default -> {
            }
        }
        boolean list = LISTS.contains(owner);
        boolean set = SETS.contains(owner);
        boolean queue = QUEUES.contains(owner);
        boolean collection = list || set || queue || owner.equals("java/util/Collection");
        if (collection) {
            if (COLLECTION_FREE.contains(name)) {
                // a sorted set's navigation compares its key argument with log n elements
                return set && desc.startsWith("(" + OBJ) ? Cost.KEY : Cost.FREE;
            }
            boolean oneObject = desc.equals("(" + OBJ + ")Z") || desc.equals("(" + OBJ + ")I");
            return switch (name) {
                case "get", "set" -> list ? Cost.FREE : Cost.COPY;
                case "add" -> desc.equals("(" + OBJ + ")Z") ? (set || owner.equals("java/util/Collection") ? Cost.KEY
                        : Cost.FREE) : Cost.COPY;
                case "contains", "indexOf", "lastIndexOf" -> set ? Cost.KEY : Cost.SEARCH;
                case "remove" -> oneObject ? (set ? Cost.KEY : Cost.SEARCH) : Cost.COPY;
                case "floor", "ceiling", "higher", "lower" -> Cost.KEY;
                case "containsAll", "removeAll", "retainAll" -> Cost.CROSS;
                case "sort" -> Cost.SORT;
                case "equals" -> Cost.COMPARED;
                case "forEach", "removeIf", "replaceAll", "clear" -> Cost.SCAN;
                default -> Cost.COPY;
            };
        }
        if (MAPS.contains(owner)) {
            if (MAP_FREE.contains(name)) {
                return Cost.FREE;
            }
            if (MAP_KEYED.contains(name) && !desc.startsWith("()")) {
                return Cost.KEY;
            }
            return switch (name) {
                case "containsValue" -> Cost.SEARCH;
                case "equals" -> Cost.COMPARED;
                case "forEach", "replaceAll", "clear" -> Cost.SCAN;
                default -> Cost.COPY;
            };
        }
        return Cost.COPY;
    }

    /** The invoke instruction a method handle of this kind stands for. */
    static int opcodeOf(int handleTag) {
        return switch (handleTag) {
            case Opcodes.H_INVOKESTATIC -> Opcodes.INVOKESTATIC;
            case Opcodes.H_INVOKEINTERFACE -> Opcodes.INVOKEINTERFACE;
            case Opcodes.H_INVOKESPECIAL, Opcodes.H_NEWINVOKESPECIAL -> Opcodes.INVOKESPECIAL;
            default -> Opcodes.INVOKEVIRTUAL;
        };
    }

    /** A call that returns a stream not derived from another stream: a source, metered per element. */
    static boolean isStreamSource(int opcode, String owner, String desc) {
        String ret = Type.getReturnType(desc).getSort() == Type.OBJECT ? Type.getReturnType(desc).getInternalName() : "";
        return STREAMS.contains(ret) && (opcode == Opcodes.INVOKESTATIC || !STREAMS.contains(owner));
    }
}
