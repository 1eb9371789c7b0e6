package dev.glia.policy.sandbox;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ConstantDynamic;
import org.objectweb.asm.FieldVisitor;
import org.objectweb.asm.Handle;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * Checks compiled policy classes against an allow-list before anything of them runs. A policy may
 * use the policy API, {@code java.lang.Math}, boxed types, strings, collections, streams (not
 * parallel), records and lambdas. Everything that reaches outside the call or breaks determinism
 * is rejected with the offending reference named: reflection and class literals, class loading,
 * I/O, networking, threads, locks, {@code System}, {@code Runtime}, processes, clocks, unseeded
 * randomness, native methods, finalizers, catching {@code Error}s, and mutable static state.
 */
public final class Verifier {
    private static final Set<String> CLASSES = Set.of(
            "java/lang/Object", "java/lang/String", "java/lang/StringBuilder", "java/lang/CharSequence",
            "java/lang/Math", "java/lang/StrictMath", "java/lang/Integer", "java/lang/Long", "java/lang/Double",
            "java/lang/Float", "java/lang/Short", "java/lang/Byte", "java/lang/Character", "java/lang/Boolean",
            "java/lang/Number", "java/lang/Comparable", "java/lang/Iterable", "java/lang/Record", "java/lang/Enum",
            "java/lang/Exception", "java/lang/RuntimeException", "java/lang/IllegalArgumentException",
            "java/lang/IllegalStateException", "java/lang/ArithmeticException", "java/lang/IndexOutOfBoundsException",
            "java/lang/ArrayIndexOutOfBoundsException", "java/lang/NullPointerException",
            "java/lang/UnsupportedOperationException", "java/lang/ClassCastException",
            "java/lang/NumberFormatException", "java/lang/Override", "java/lang/FunctionalInterface",
            "java/lang/SuppressWarnings",
            "java/util/ArrayList", "java/util/LinkedList", "java/util/List", "java/util/Map", "java/util/Map$Entry",
            "java/util/LinkedHashMap", "java/util/TreeMap", "java/util/NavigableMap",
            "java/util/SortedMap", "java/util/Set", "java/util/LinkedHashSet", "java/util/TreeSet",
            "java/util/NavigableSet", "java/util/SortedSet", "java/util/Collection", "java/util/Collections",
            "java/util/Arrays", "java/util/Iterator", "java/util/ListIterator", "java/util/Comparator",
            "java/util/Deque", "java/util/ArrayDeque", "java/util/Queue", "java/util/PriorityQueue",
            "java/util/Optional", "java/util/OptionalInt", "java/util/OptionalLong", "java/util/OptionalDouble",
            "java/util/Objects", "java/util/BitSet", "java/util/StringJoiner", "java/util/AbstractMap$SimpleEntry",
            "java/util/IntSummaryStatistics", "java/util/LongSummaryStatistics", "java/util/DoubleSummaryStatistics",
            "java/util/NoSuchElementException", "java/util/ConcurrentModificationException",
            "java/util/random/RandomGenerator",
            "dev/glia/policy/Router", "dev/glia/policy/BatchPriority", "dev/glia/policy/Autoscaler",
            "dev/glia/policy/ClusterView", "dev/glia/policy/ReplicaView", "dev/glia/policy/RequestView",
            "dev/glia/policy/AutoscalerView", "dev/glia/policy/Dispatch", "dev/glia/policy/PolicyViolation",
            "dev/glia/policy/Param");
    private static final List<String> PACKAGES = List.of("java/util/function/", "java/util/stream/");
    private static final List<String> RESERVED_PACKAGES = List.of("dev/glia/", "java/", "javax/", "jdk/", "sun/", "com/sun/");
    private static final Set<String> BOOTSTRAPS = Set.of("java/lang/invoke/LambdaMetafactory",
            "java/lang/invoke/StringConcatFactory", "java/lang/runtime/ObjectMethods");
    /** Methods of allowed classes that are not allowed, with why. */
    private static final String UNSEEDED = "unseeded randomness breaks determinism; use ClusterView.random()";
    private static final String UNORDERED = "iteration order would follow hash seeds or identity hashes, which differ "
            + "between runs; use LinkedHashMap, LinkedHashSet or TreeMap";
    private static final String UNBOUNDED = "runs unbounded work inside the JDK, outside the policy's step budget";
    private static final Map<String, String> METHODS = Map.ofEntries(
            Map.entry("java/lang/Math.random", UNSEEDED),
            Map.entry("java/lang/StrictMath.random", UNSEEDED),
            Map.entry("java/util/random/RandomGenerator.of", UNSEEDED),
            Map.entry("java/util/random/RandomGenerator.getDefault", UNSEEDED),
            Map.entry("java/util/Collections.shuffle", UNSEEDED + " (pass it as Collections.shuffle(list, random) "
                    + "is not available either; draw indices from ClusterView.random())"),
            Map.entry("java/util/random/RandomGenerator.ints", UNBOUNDED),
            Map.entry("java/util/random/RandomGenerator.longs", UNBOUNDED),
            Map.entry("java/util/random/RandomGenerator.doubles", UNBOUNDED),
            Map.entry("java/util/stream/Stream.iterate", UNBOUNDED),
            Map.entry("java/util/stream/Stream.generate", UNBOUNDED),
            Map.entry("java/util/stream/IntStream.iterate", UNBOUNDED),
            Map.entry("java/util/stream/IntStream.generate", UNBOUNDED),
            Map.entry("java/util/stream/LongStream.iterate", UNBOUNDED),
            Map.entry("java/util/stream/LongStream.generate", UNBOUNDED),
            Map.entry("java/util/stream/LongStream.range", UNBOUNDED),
            Map.entry("java/util/stream/LongStream.rangeClosed", UNBOUNDED),
            Map.entry("java/util/stream/DoubleStream.iterate", UNBOUNDED),
            Map.entry("java/util/stream/DoubleStream.generate", UNBOUNDED),
            Map.entry("java/util/stream/StreamSupport.stream", "StreamSupport can make parallel streams"),
            Map.entry("java/util/stream/StreamSupport.intStream", "StreamSupport can make parallel streams"),
            Map.entry("java/util/stream/StreamSupport.longStream", "StreamSupport can make parallel streams"),
            Map.entry("java/util/stream/StreamSupport.doubleStream", "StreamSupport can make parallel streams"),
            Map.entry("java/lang/String.matches", "regular expressions can backtrack without bound inside the JDK"),
            Map.entry("java/lang/String.replaceAll", "regular expressions can backtrack without bound inside the JDK"),
            Map.entry("java/lang/String.replaceFirst", "regular expressions can backtrack without bound inside the JDK"),
            Map.entry("java/lang/String.split", "regular expressions can backtrack without bound inside the JDK"),
            Map.entry("java/lang/String.intern", "interned strings are state shared by every run in the JVM"),
            Map.entry("java/lang/Object.hashCode", "identity hash codes differ between runs"),
            Map.entry("java/lang/Enum.hashCode", "identity hash codes differ between runs"),
            Map.entry("java/util/Map.of", UNORDERED),
            Map.entry("java/util/Map.ofEntries", UNORDERED),
            Map.entry("java/util/Map.copyOf", UNORDERED),
            Map.entry("java/util/Set.of", UNORDERED),
            Map.entry("java/util/Set.copyOf", UNORDERED),
            Map.entry("java/util/stream/Collectors.toSet", UNORDERED),
            Map.entry("java/util/stream/Collectors.toUnmodifiableSet", UNORDERED),
            Map.entry("java/util/stream/Collectors.toMap", UNORDERED + " (Collectors.toMap with a LinkedHashMap::new "
                    + "supplier is not available either; collect into a list)"),
            Map.entry("java/util/stream/Collectors.toUnmodifiableMap", UNORDERED),
            Map.entry("java/util/stream/Collectors.groupingBy", UNORDERED),
            Map.entry("java/util/stream/Collectors.groupingByConcurrent", UNORDERED),
            Map.entry("java/util/stream/Collectors.partitioningBy", UNORDERED),
            Map.entry("java/lang/Integer.getInteger", "reads system properties"),
            Map.entry("java/lang/Long.getLong", "reads system properties"),
            Map.entry("java/lang/Boolean.getBoolean", "reads system properties"),
            Map.entry("java/lang/Object.wait", "threads and locks are not available to policies"),
            Map.entry("java/lang/Object.notify", "threads and locks are not available to policies"),
            Map.entry("java/lang/Object.notifyAll", "threads and locks are not available to policies"));
    /** Why a whole family of classes is refused, by prefix, for clearer messages. */
    private static final Map<String, String> REASONS = Map.ofEntries(
            Map.entry("java/lang/System", "System gives exit, clocks, properties, environment and I/O"),
            Map.entry("java/lang/Runtime", "Runtime gives exit, processes and memory control"),
            Map.entry("java/lang/ProcessBuilder", "processes are not available to policies"),
            Map.entry("java/lang/Process", "processes are not available to policies"),
            Map.entry("java/lang/Thread", "threads are not available to policies"),
            Map.entry("java/lang/ThreadLocal", "threads are not available to policies"),
            Map.entry("java/lang/Class", "reflection is not available to policies"),
            Map.entry("java/lang/ClassLoader", "class loading is not available to policies"),
            Map.entry("java/lang/reflect/", "reflection is not available to policies"),
            Map.entry("java/lang/invoke/", "method handles are not available to policies"),
            Map.entry("java/io/", "I/O is not available to policies"),
            Map.entry("java/nio/", "I/O is not available to policies"),
            Map.entry("java/net/", "networking is not available to policies"),
            Map.entry("java/util/concurrent/", "threads and concurrency are not available to policies"),
            Map.entry("java/time/", "clocks break determinism; use ClusterView.now()"),
            Map.entry("java/util/Random", "unseeded randomness breaks determinism; use ClusterView.random()"),
            Map.entry("java/util/HashMap", "HashMap's " + "iteration order can follow identity hashes, which differ between runs; use LinkedHashMap or TreeMap"),
            Map.entry("java/util/HashSet", "HashSet's " + "iteration order can follow identity hashes, which differ between runs; use LinkedHashSet or TreeSet"),
            Map.entry("java/util/Date", "clocks break determinism; use ClusterView.now()"),
            Map.entry("sun/", "JDK internals are not available to policies"),
            Map.entry("jdk/", "JDK internals are not available to policies"),
            Map.entry("dev/glia/", "policies may use only the policy API (dev.glia.policy views and interfaces)"));

    private Verifier() {
    }

    /**
     * Returns every violation in the given classes (internal name → bytes), or an empty list.
     * {@code sourceFile} names the file in diagnostics.
     */
    public static List<Diagnostic> verify(Map<String, byte[]> classes, String sourceFile) {
        List<Diagnostic> problems = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : classes.entrySet()) {
            new ClassReader(e.getValue()).accept(new Checker(classes.keySet(), sourceFile, problems), 0);
        }
        return problems;
    }

    static String refusal(String owner, Set<String> own) {
        String type = owner;
        while (type.startsWith("[")) {
            type = type.substring(1);
        }
        if (type.length() == 1) {
            return null; // primitive array
        }
        if (type.startsWith("L") && type.endsWith(";")) {
            type = type.substring(1, type.length() - 1);
        }
        if (own.contains(type) || CLASSES.contains(type)) {
            return null;
        }
        for (String p : PACKAGES) {
            if (type.startsWith(p)) {
                return null;
            }
        }
        for (Map.Entry<String, String> r : REASONS.entrySet()) {
            if (type.equals(r.getKey()) || (r.getKey().endsWith("/") && type.startsWith(r.getKey()))) {
                return r.getValue();
            }
        }
        return "not on the policy allow-list (the policy API, Math, boxed types, String, collections, streams)";
    }

    private static final class Checker extends ClassVisitor {
        private final Set<String> own;
        private final String file;
        private final List<Diagnostic> problems;
        private String className;

        Checker(Set<String> own, String file, List<Diagnostic> problems) {
            super(Opcodes.ASM9);
            this.own = own;
            this.file = file;
            this.problems = problems;
        }

        void refuse(long line, String what, String why) {
            problems.add(new Diagnostic(file, line, 0, "sandbox", className.replace('/', '.') + ": " + what + " — " + why));
        }

        void type(long line, String context, String internalName) {
            String why = refusal(internalName, own);
            if (why != null) {
                refuse(line, context + " " + Type.getObjectType(internalName).getClassName(), why);
            }
        }

        void descriptor(long line, String context, String desc) {
            Type t = Type.getType(desc);
            Type[] parts = t.getSort() == Type.METHOD ? concat(t.getArgumentTypes(), t.getReturnType()) : new Type[] {t};
            for (Type p : parts) {
                Type element = p.getSort() == Type.ARRAY ? p.getElementType() : p;
                if (element.getSort() == Type.OBJECT) {
                    type(line, context, element.getInternalName());
                }
            }
        }

        private static Type[] concat(Type[] a, Type b) {
            Type[] out = java.util.Arrays.copyOf(a, a.length + 1);
            out[a.length] = b;
            return out;
        }

        @Override
        public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
            className = name;
            for (String reserved : RESERVED_PACKAGES) {
                if (name.startsWith(reserved)) {
                    refuse(0, "declares its class in package " + reserved.replace('/', '.'),
                            "that package belongs to Glia or the JDK; declare policies without a package");
                }
            }
            if (superName != null && !superName.equals("java/lang/Object") && !superName.equals("java/lang/Record")
                    && !superName.equals("java/lang/Enum") && !own.contains(superName)) {
                type(0, "extends", superName);
            }
            for (String i : interfaces) {
                type(0, "implements", i);
            }
        }

        @Override
        public FieldVisitor visitField(int access, String name, String descriptor, String signature, Object value) {
            descriptor(0, "field " + name + " of type", descriptor);
            if ((access & Opcodes.ACC_STATIC) != 0) {
                boolean constant = (access & Opcodes.ACC_FINAL) != 0
                        && (descriptor.length() == 1 || descriptor.equals("Ljava/lang/String;"));
                boolean synthetic = (access & Opcodes.ACC_SYNTHETIC) != 0;
                // javac's own: enum constants and values, switch-on-enum tables, the assertion switch
                boolean enumPart = (access & Opcodes.ACC_ENUM) != 0
                        || (synthetic && (name.equals("$VALUES") || name.startsWith("$SwitchMap$")
                        || name.equals("$assertionsDisabled")));
                if (!constant && !enumPart) {
                    refuse(0, "static field " + name, "mutable static state leaks between calls and runs; "
                            + "use an instance field, or a static final primitive or String constant");
                }
            }
            return null;
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
            if ((access & Opcodes.ACC_NATIVE) != 0) {
                refuse(0, "native method " + name, "native code is not available to policies");
            }
            if ((access & Opcodes.ACC_SYNCHRONIZED) != 0) {
                refuse(0, "synchronized method " + name, "locks are not available to policies (they run single-threaded)");
            }
            if (name.equals("finalize") && descriptor.equals("()V")) {
                refuse(0, "method finalize()", "finalizers run on the collector's thread, outside any budget");
            }
            descriptor(0, "method " + name + " uses", descriptor);
            return new MethodVisitor(Opcodes.ASM9) {
                long line;

                @Override
                public void visitLineNumber(int l, Label start) {
                    line = l;
                }

                @Override
                public void visitTypeInsn(int opcode, String type) {
                    type(line, opcode == Opcodes.NEW ? "creates" : "uses type", type);
                }

                @Override
                public void visitFieldInsn(int opcode, String owner, String name, String desc) {
                    type(line, "reads or writes a field of", owner);
                }

                @Override
                public void visitMethodInsn(int opcode, String owner, String name, String desc, boolean itf) {
                    if (owner.equals("java/lang/Class") && name.equals("desiredAssertionStatus")) {
                        return; // javac's code for assert statements
                    }
                    String why = METHODS.get(owner + "." + name);
                    if (why == null && name.startsWith("parallel")) {
                        why = "parallel streams and sorts run on other threads";
                    }
                    if (why != null) {
                        refuse(line, "calls " + owner.replace('/', '.') + "." + name, why);
                    } else {
                        String refusal = refusal(owner, own);
                        if (refusal != null) {
                            refuse(line, "calls " + Type.getObjectType(owner).getClassName() + "." + name, refusal);
                        }
                    }
                }

                @Override
                public void visitInvokeDynamicInsn(String name, String desc, Handle bsm, Object... args) {
                    if (!BOOTSTRAPS.contains(bsm.getOwner())) {
                        refuse(line, "invokedynamic via " + bsm.getOwner().replace('/', '.'),
                                "only lambdas, string concatenation and records are supported");
                    }
                    for (Object a : args) {
                        if (a instanceof Handle h) {
                            visitMethodInsn(Opcodes.INVOKESTATIC, h.getOwner(), h.getName(), h.getDesc(), h.isInterface());
                        }
                    }
                }

                @Override
                public void visitLdcInsn(Object value) {
                    if (value instanceof Type t && !(t.getSort() == Type.OBJECT && own.contains(t.getInternalName()))) {
                        refuse(line, "class literal " + t.getClassName() + ".class", "reflection is not available to policies");
                    } else if (value instanceof Handle || value instanceof ConstantDynamic) {
                        refuse(line, "method handle constant", "method handles are not available to policies");
                    }
                }

                @Override
                public void visitMultiANewArrayInsn(String desc, int dims) {
                    refuse(line, "multi-dimensional array " + Type.getType(desc).getClassName(),
                            "allocate an array of arrays in a loop instead (each allocation is budgeted)");
                }

                @Override
                public void visitInsn(int opcode) {
                    if (opcode == Opcodes.MONITORENTER) {
                        refuse(line, "synchronized block", "locks are not available to policies (they run single-threaded)");
                    }
                }

                @Override
                public void visitTryCatchBlock(Label start, Label end, Label handler, String type) {
                    if (type != null && (type.equals("java/lang/Throwable") || !CLASSES.contains(type)
                            && !own.contains(type))) {
                        refuse(line, "catches " + type.replace('/', '.'), "policies may catch only exceptions "
                                + "(RuntimeException and its allowed subclasses), never Throwable or Errors");
                    }
                }
            };
        }
    }
}
