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
            "java/util/ArrayList", "java/util/List", "java/util/Map", "java/util/Map$Entry",
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
            Map.entry("java/util/stream/BaseStream.unordered", UNORDERED),
            Map.entry("java/util/stream/Stream.unordered", UNORDERED),
            Map.entry("java/util/stream/IntStream.unordered", UNORDERED),
            Map.entry("java/util/stream/LongStream.unordered", UNORDERED),
            Map.entry("java/util/stream/DoubleStream.unordered", UNORDERED),
            Map.entry("java/util/Iterator.remove", "removing through an iterator shifts the whole list on every call; "
                    + "use removeIf"),
            Map.entry("java/util/ListIterator.remove", "removing through an iterator shifts the whole list on every call; "
                    + "use removeIf"),
            Map.entry("java/util/ListIterator.add", "inserting through an iterator shifts the whole list on every call; "
                    + "build a new list"),
            Map.entry("java/lang/String.getBytes", "encodes in the host's default charset"),
            Map.entry("java/util/Collections.synchronizedList", "locks are not available to policies"),
            Map.entry("java/util/Collections.synchronizedMap", "locks are not available to policies"),
            Map.entry("java/util/Collections.synchronizedSet", "locks are not available to policies"),
            Map.entry("java/util/Collections.synchronizedCollection", "locks are not available to policies"),
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
    /**
     * Methods every object or exception inherits that reach outside the sandbox, refused whatever
     * class the bytecode names as owner (a policy's own exception inherits printStackTrace too),
     * unless the policy declares the method itself.
     */
    private static final Map<String, String> INHERITED = Map.ofEntries(
            Map.entry("getClass", "reflection is not available to policies (it names host classes and identities)"),
            Map.entry("getDeclaringClass", "reflection is not available to policies"),
            Map.entry("describeConstable", "reflection is not available to policies"),
            Map.entry("printStackTrace", "policies have no output channels; put what matters in the exception's message"),
            Map.entry("getStackTrace", "stack traces show the host's call stack"),
            Map.entry("setStackTrace", "stack traces show the host's call stack"),
            Map.entry("fillInStackTrace", "stack traces show the host's call stack"),
            Map.entry("getSuppressed", "suppressed exceptions can carry host exceptions"),
            Map.entry("addSuppressed", "suppressed exceptions can carry host exceptions"),
            Map.entry("getCause", "causes can carry host exceptions"),
            Map.entry("initCause", "causes can carry host exceptions"));
    /** The exceptions a policy class may extend. */
    private static final Set<String> EXTENDABLE = Set.of("java/lang/Object", "java/lang/Record", "java/lang/Enum",
            "java/lang/Exception", "java/lang/RuntimeException", "java/lang/IllegalArgumentException",
            "java/lang/IllegalStateException", "java/lang/ArithmeticException", "java/lang/UnsupportedOperationException",
            "java/lang/IndexOutOfBoundsException", "java/util/NoSuchElementException");

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
            Map.entry("java/util/LinkedList", "LinkedList.get(i) walks the list, work the sandbox cannot charge; "
                    + "use ArrayList or ArrayDeque"),
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
        Map<String, Declared> declared = new java.util.HashMap<>();
        for (Map.Entry<String, byte[]> e : classes.entrySet()) {
            ClassReader reader = new ClassReader(e.getValue());
            Set<String> methods = new java.util.HashSet<>();
            reader.accept(new ClassVisitor(Opcodes.ASM9) {
                @Override
                public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                                 String[] exceptions) {
                    methods.add(name + descriptor);
                    return null;
                }
            }, ClassReader.SKIP_CODE);
            declared.put(e.getKey(), new Declared(reader.getSuperName(), List.of(reader.getInterfaces()), methods));
        }
        for (Map.Entry<String, byte[]> e : classes.entrySet()) {
            new ClassReader(e.getValue()).accept(new Checker(classes.keySet(), declared, sourceFile, problems), 0);
        }
        return problems;
    }

    /** A policy class's superclass, interfaces and methods, to tell what it declares from what it inherits. */
    private record Declared(String superName, List<String> interfaces, Set<String> methods) {
    }

    /** Whether the policy itself declares {@code name+desc} in {@code owner} or a policy class or interface above it. */
    private static boolean declaresItself(String owner, String nameAndDesc, Map<String, Declared> declared) {
        Declared d = declared.get(owner);
        if (d == null) {
            return false;
        }
        if (d.methods().contains(nameAndDesc)) {
            return true;
        }
        if (d.superName() != null && declaresItself(d.superName(), nameAndDesc, declared)) {
            return true;
        }
        for (String i : d.interfaces()) {
            if (declaresItself(i, nameAndDesc, declared)) {
                return true;
            }
        }
        return false;
    }

    static String refusal(String owner, Set<String> own) {
        if (owner.equals("java/lang/IncompatibleClassChangeError") || owner.equals("java/lang/MatchException")) {
            return null; // what javac throws from an exhaustive switch on an enum that changed: never, here
        }
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
        private final Map<String, Declared> declared;
        private final String file;
        private final List<Diagnostic> problems;
        private String className;

        Checker(Set<String> own, Map<String, Declared> declared, String file, List<Diagnostic> problems) {
            super(Opcodes.ASM9);
            this.own = own;
            this.declared = declared;
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
            if (superName != null && !EXTENDABLE.contains(superName) && !own.contains(superName)) {
                String why = refusal(superName, own);
                refuse(0, "extends " + Type.getObjectType(superName).getClassName(), why != null ? why
                        : "a policy class may extend only its own classes, Object, records, enums and the allowed "
                        + "exceptions (the JDK's inherited methods would run without the sandbox's charges); "
                        + "hold the JDK object in a field instead");
            }
            for (String i : interfaces) {
                type(0, "implements", i);
            }
        }

        @Override
        public FieldVisitor visitField(int access, String name, String descriptor, String signature, Object value) {
            if (name.startsWith("$glia$")) {
                refuse(0, "field " + name, "names starting with $glia$ are reserved for the sandbox");
            }
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
            if (name.startsWith("$glia$")) {
                refuse(0, "method " + name, "names starting with $glia$ are reserved for the sandbox");
            }
            boolean initializer = name.equals("<clinit>");
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
                    String inherited = INHERITED.get(name);
                    if (inherited != null && !declaresItself(owner, name + desc, declared)) {
                        refuse(line, "calls " + name + "()", inherited);
                        return;
                    }
                    if (owner.equals("java/lang/String") && name.equals("<init>") && desc.contains("[B")) {
                        refuse(line, "creates a String from bytes", "decodes in the host's default charset");
                        return;
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
                            methodReference(h);
                        }
                    }
                }

                /**
                 * A method reference to a JDK method runs it without the call site the instrumenter
                 * charges at: allowed when the call is free or replaced wholesale.
                 */
                private void methodReference(Handle h) {
                    if (own.contains(h.getOwner()) || h.getOwner().startsWith("[")) {
                        return;
                    }
                    int opcode = JdkCalls.opcodeOf(h.getTag());
                    if (JdkCalls.shim(opcode, h.getOwner(), h.getName(), h.getDesc()) != null) {
                        return;
                    }
                    boolean free = JdkCalls.cost(opcode, h.getOwner(), h.getName(), h.getDesc()) == JdkCalls.Cost.FREE;
                    if (!free || JdkCalls.isStreamSource(opcode, h.getOwner(), h.getDesc())) {
                        String ref = Type.getObjectType(h.getOwner()).getClassName() + "::" + h.getName();
                        refuse(line, "method reference " + ref, "it does work the sandbox must charge before the "
                                + "call, which a method reference skips; write a lambda instead (x -> ...)");
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
                    if (initializer && "java/lang/NoSuchFieldError".equals(type)) {
                        return; // javac's switch-on-enum tables guard each entry against a missing constant
                    }
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
