package dev.glia.policy.sandbox;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Handle;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * Makes every call terminate, and every result deterministic:
 * <ul>
 * <li>{@link Gauge#enter(int)} at each method entry (a step, and the frame's stack slots until it
 * returns), a {@link Gauge#tick()} before each backward jump (every loop iteration), and a
 * {@link Gauge#alloc(int)} before each array allocation;</li>
 * <li>before each JDK call, a charge for the work and memory it is about to spend, as
 * {@link JdkCalls} prices it; after each call that makes a stream, a meter on its elements;</li>
 * <li>calls whose result would follow identity hashes, the host's locale or its time zone
 * ({@code toString}, {@code hashCode}, {@code String.format}, string concatenation, records'
 * generated methods, …) replaced by {@link Calls};</li>
 * <li>a rethrow of any Error at the top of each exception handler, so that none is swallowed;</li>
 * <li>every class that would inherit {@code Object.hashCode} gets a deterministic identity
 * ({@link Identified}).</li>
 * </ul>
 * The hot-path calls are static and tiny, so the JIT inlines them.
 */
final class Instrumenter {
    static final String GAUGE = "dev/glia/policy/sandbox/Gauge";
    static final String CALLS = JdkCalls.CALLS;
    private static final String IDENTIFIED = "dev/glia/policy/sandbox/Identified";
    /** Slots charged per frame beyond its locals and operands: the frame's header, and JDK frames between policy frames. */
    private static final int FRAME_OVERHEAD = 12;

    private Instrumenter() {
    }

    /** A method's frame size in the original bytes: where the instrumenter's own locals may start. */
    private record Frame(int maxLocals, int maxStack) {
    }

    /**
     * Instruments one class of a policy; {@code all} holds every class of the policy (internal
     * name to bytes), which frame computation needs to find common superclasses.
     */
    static byte[] instrument(byte[] classBytes, Map<String, byte[]> all) {
        ClassReader reader = new ClassReader(classBytes);
        Map<String, Frame> frames = new HashMap<>();
        Set<String> declared = new HashSet<>();
        reader.accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                declared.add(name + descriptor);
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitMaxs(int maxStack, int maxLocals) {
                        frames.put(name + descriptor, new Frame(maxLocals, maxStack));
                    }
                };
            }
        }, ClassReader.SKIP_FRAMES);
        ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_FRAMES) {
            @Override
            protected String getCommonSuperClass(String a, String b) {
                return Hierarchy.commonSuperClass(a, b, all);
            }
        };
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            private String className;
            private boolean identified;
            private boolean throwable;

            @Override
            public void visit(int version, int access, String name, String signature, String superName,
                              String[] interfaces) {
                className = name;
                boolean jdkSuper = superName != null && !all.containsKey(superName);
                identified = (access & (Opcodes.ACC_INTERFACE | Opcodes.ACC_ENUM)) == 0 && jdkSuper
                        && !superName.equals("java/lang/Record") && !superName.equals("java/lang/Enum");
                throwable = identified && !superName.equals("java/lang/Object");
                if (identified) {
                    String[] more = java.util.Arrays.copyOf(interfaces, interfaces.length + 1);
                    more[interfaces.length] = IDENTIFIED;
                    interfaces = more;
                }
                super.visit(version, access, name, signature, superName, interfaces);
            }

            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
                if ((access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0) {
                    return mv;
                }
                Frame frame = frames.getOrDefault(name + descriptor, new Frame(0, 0));
                return new Body(mv, all, frame.maxLocals(), frame.maxLocals() + frame.maxStack() + FRAME_OVERHEAD);
            }

            @Override
            public void visitEnd() {
                if (identified) {
                    addIdentity();
                }
                super.visitEnd();
            }

            /** A lazily numbered identity, and the hashCode and toString that Object would have given by address. */
            private void addIdentity() {
                String field = Identified.METHOD;
                super.visitField(Opcodes.ACC_PRIVATE | Opcodes.ACC_SYNTHETIC, field, "I", null, null).visitEnd();
                MethodVisitor m = super.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_SYNTHETIC, Identified.METHOD, "()I",
                        null, null);
                m.visitCode();
                Label known = new Label();
                m.visitVarInsn(Opcodes.ALOAD, 0);
                m.visitFieldInsn(Opcodes.GETFIELD, className, field, "I");
                m.visitInsn(Opcodes.DUP);
                m.visitJumpInsn(Opcodes.IFNE, known);
                m.visitInsn(Opcodes.POP);
                m.visitVarInsn(Opcodes.ALOAD, 0);
                m.visitMethodInsn(Opcodes.INVOKESTATIC, GAUGE, "nextIdentity", "()I", false);
                m.visitInsn(Opcodes.DUP_X1);
                m.visitFieldInsn(Opcodes.PUTFIELD, className, field, "I");
                m.visitLabel(known);
                m.visitInsn(Opcodes.IRETURN);
                m.visitMaxs(0, 0);
                m.visitEnd();
                if (!declared.contains("hashCode()I")) {
                    MethodVisitor h = super.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_SYNTHETIC, "hashCode", "()I",
                            null, null);
                    h.visitCode();
                    h.visitVarInsn(Opcodes.ALOAD, 0);
                    h.visitMethodInsn(Opcodes.INVOKEVIRTUAL, className, Identified.METHOD, "()I", false);
                    h.visitInsn(Opcodes.IRETURN);
                    h.visitMaxs(0, 0);
                    h.visitEnd();
                }
                if (!throwable && !declared.contains("toString()Ljava/lang/String;")) {
                    MethodVisitor t = super.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_SYNTHETIC, "toString",
                            "()Ljava/lang/String;", null, null);
                    t.visitCode();
                    t.visitVarInsn(Opcodes.ALOAD, 0);
                    t.visitMethodInsn(Opcodes.INVOKESTATIC, CALLS, "identityText", "(Ljava/lang/Object;)Ljava/lang/String;",
                            false);
                    t.visitInsn(Opcodes.ARETURN);
                    t.visitMaxs(0, 0);
                    t.visitEnd();
                }
            }
        }, ClassReader.SKIP_FRAMES);
        return writer.toByteArray();
    }

    /** One method's body, rewritten. */
    private static final class Body extends MethodVisitor {
        private final Map<String, byte[]> own;
        /** The local holding the stack depth at entry; the instrumenter's scratch locals follow it. */
        private final int base;
        private final int frameSlots;
        private final Set<Label> seen = new HashSet<>();
        private final Set<Label> handlers = new HashSet<>();
        /** Every try-catch block: start, end, handler. */
        private final List<Label[]> blocks = new ArrayList<>();
        private boolean atHandler;
        /** Ends of the ranges that cover the current handler's own first instructions. */
        private final Set<Label> openRanges = new HashSet<>();
        private int caughtIn = -1;

        Body(MethodVisitor mv, Map<String, byte[]> own, int maxLocals, int frameSlots) {
            super(Opcodes.ASM9, mv);
            this.own = own;
            this.base = maxLocals;
            this.frameSlots = frameSlots;
        }

        @Override
        public void visitCode() {
            super.visitCode();
            push(frameSlots);
            super.visitMethodInsn(Opcodes.INVOKESTATIC, GAUGE, "enter", "(I)I", false);
            super.visitVarInsn(Opcodes.ISTORE, base);
        }

        @Override
        public void visitTryCatchBlock(Label start, Label end, Label handler, String type) {
            handlers.add(handler);
            blocks.add(new Label[] {start, end, handler});
            super.visitTryCatchBlock(start, end, handler, type);
        }

        /**
         * The first instruction of a handler, with the caught Throwable on the stack: an Error (an
         * overrun, a stack overflow, exhausted memory) is thrown on at once, so no handler,
         * {@code finally} included, can swallow it. Inline, without a call: near a stack overflow a
         * call would only overflow again.
         */
        private void enterHandler() {
            if (atHandler) {
                atHandler = false;
                Label ok = new Label();
                super.visitInsn(Opcodes.DUP);
                super.visitTypeInsn(Opcodes.INSTANCEOF, "java/lang/Error");
                super.visitJumpInsn(Opcodes.IFEQ, ok);
                super.visitInsn(Opcodes.ATHROW);
                super.visitLabel(ok);
            }
        }

        private void rethrowErrorIn(int var) {
            Label ok = new Label();
            super.visitVarInsn(Opcodes.ALOAD, var);
            super.visitTypeInsn(Opcodes.INSTANCEOF, "java/lang/Error");
            super.visitJumpInsn(Opcodes.IFEQ, ok);
            super.visitVarInsn(Opcodes.ALOAD, var);
            super.visitInsn(Opcodes.ATHROW);
            super.visitLabel(ok);
        }

        @Override
        public void visitVarInsn(int opcode, int var) {
            if (atHandler && opcode == Opcodes.ASTORE) {
                atHandler = false;
                super.visitVarInsn(opcode, var);
                if (openRanges.isEmpty()) {
                    rethrowErrorIn(var);
                } else {
                    // javac lets a finally handler sit inside its own range (it covers the store):
                    // an Error rethrown there would be caught by the same handler again, forever;
                    // the check waits until those ranges end
                    caughtIn = var;
                }
                return;
            }
            enterHandler();
            super.visitVarInsn(opcode, var);
        }

        @Override
        public void visitInsn(int opcode) {
            enterHandler();
            if (opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN) {
                super.visitVarInsn(Opcodes.ILOAD, base);
                super.visitFieldInsn(Opcodes.PUTSTATIC, GAUGE, "depth", "I");
            }
            super.visitInsn(opcode);
        }

        @Override
        public void visitFieldInsn(int opcode, String owner, String name, String descriptor) {
            enterHandler();
            super.visitFieldInsn(opcode, owner, name, descriptor);
        }

        @Override
        public void visitLdcInsn(Object value) {
            enterHandler();
            super.visitLdcInsn(value);
        }

        @Override
        public void visitIincInsn(int var, int increment) {
            enterHandler();
            super.visitIincInsn(var, increment);
        }

        @Override
        public void visitMultiANewArrayInsn(String descriptor, int numDimensions) {
            enterHandler();
            super.visitMultiANewArrayInsn(descriptor, numDimensions);
        }

        @Override
        public void visitLabel(Label label) {
            seen.add(label);
            boolean handler = handlers.contains(label);
            if (handler) {
                atHandler = true;
                openRanges.clear();
                for (Label[] b : blocks) {
                    if (b[2] == label && seen.contains(b[0]) && !seen.contains(b[1])) {
                        openRanges.add(b[1]);
                    }
                }
            }
            super.visitLabel(label);
            if (handler) {
                // the frames the exception unwound are gone: the stack is this frame's again
                super.visitVarInsn(Opcodes.ILOAD, base);
                push(frameSlots);
                super.visitInsn(Opcodes.IADD);
                super.visitFieldInsn(Opcodes.PUTSTATIC, GAUGE, "depth", "I");
            }
            if (openRanges.remove(label) && openRanges.isEmpty() && caughtIn >= 0) {
                rethrowErrorIn(caughtIn);
                caughtIn = -1;
            }
        }

        @Override
        public void visitJumpInsn(int opcode, Label label) {
            enterHandler();
            if (seen.contains(label)) {
                tick();
            }
            super.visitJumpInsn(opcode, label);
        }

        @Override
        public void visitTableSwitchInsn(int min, int max, Label dflt, Label... labels) {
            enterHandler();
            if (backward(dflt, labels)) {
                tick(); // takes and leaves nothing on the stack, so the key stays
            }
            super.visitTableSwitchInsn(min, max, dflt, labels);
        }

        @Override
        public void visitLookupSwitchInsn(Label dflt, int[] keys, Label[] labels) {
            enterHandler();
            if (backward(dflt, labels)) {
                tick(); // takes and leaves nothing on the stack, so the key stays
            }
            super.visitLookupSwitchInsn(dflt, keys, labels);
        }

        private boolean backward(Label dflt, Label[] labels) {
            if (seen.contains(dflt)) {
                return true;
            }
            for (Label l : labels) {
                if (seen.contains(l)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public void visitIntInsn(int opcode, int operand) {
            enterHandler();
            if (opcode == Opcodes.NEWARRAY) {
                alloc();
            }
            super.visitIntInsn(opcode, operand);
        }

        @Override
        public void visitTypeInsn(int opcode, String type) {
            enterHandler();
            if (opcode == Opcodes.ANEWARRAY) {
                alloc();
            }
            super.visitTypeInsn(opcode, type);
        }

        // ---- calls -----------------------------------------------------------------------------------

        @Override
        public void visitMethodInsn(int opcode, String owner, String name, String desc, boolean itf) {
            enterHandler();
            JdkCalls.Shim shim = JdkCalls.shim(opcode, owner, name, desc);
            if (shim != null && !(own.containsKey(owner) && opcode == Opcodes.INVOKESPECIAL)) {
                super.visitMethodInsn(Opcodes.INVOKESTATIC, CALLS, shim.name(), shim.descriptor(), false);
                return;
            }
            if (owner.startsWith("[") && name.equals("clone")) {
                super.visitInsn(Opcodes.DUP);
                super.visitMethodInsn(Opcodes.INVOKESTATIC, GAUGE, "copied", "(Ljava/lang/Object;)V", false);
            }
            if (own.containsKey(owner) || owner.startsWith("[")) {
                super.visitMethodInsn(opcode, owner, name, desc, itf);
                return;
            }
            JdkCalls.Cost cost = JdkCalls.cost(opcode, owner, name, desc);
            charge(cost, opcode, name, desc);
            super.visitMethodInsn(opcode, owner, name, desc, itf);
            if (JdkCalls.isStreamSource(opcode, owner, desc)) {
                Type stream = Type.getReturnType(desc);
                super.visitMethodInsn(Opcodes.INVOKESTATIC, CALLS, "meter",
                        "(" + stream.getDescriptor() + ")" + stream.getDescriptor(), false);
            }
        }

        /** Emits the charge for a JDK call whose operands are on the stack, leaving them as they were. */
        private void charge(JdkCalls.Cost cost, int opcode, String name, String desc) {
            switch (cost) {
                case FREE -> {
                    return;
                }
                case THROWABLE -> {
                    super.visitLdcInsn(256L);
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, GAUGE, "work", "(J)V", false);
                    return;
                }
                default -> {
                }
            }
            boolean receiver = opcode != Opcodes.INVOKESTATIC && !name.equals("<init>");
            Type[] args = Type.getArgumentTypes(desc);
            List<Type> types = new ArrayList<>();
            if (receiver) {
                types.add(Type.getObjectType("java/lang/Object"));
            }
            types.addAll(List.of(args));
            int[] slots = new int[types.size()];
            int next = base + 1;
            for (int i = 0; i < types.size(); i++) {
                slots[i] = next;
                next += types.get(i).getSize();
            }
            for (int i = types.size() - 1; i >= 0; i--) {
                super.visitVarInsn(types.get(i).getOpcode(Opcodes.ISTORE), slots[i]);
            }
            List<Integer> refs = new ArrayList<>();
            List<Integer> ints = new ArrayList<>();
            for (int i = 0; i < types.size(); i++) {
                int sort = types.get(i).getSort();
                if (sort == Type.OBJECT || sort == Type.ARRAY) {
                    refs.add(slots[i]);
                } else if (sort == Type.INT) {
                    ints.add(slots[i]);
                }
            }
            switch (cost) {
                case COPY -> refs.forEach(s -> gauge("copied", s));
                case SCAN -> refs.forEach(s -> gauge("sized", s));
                case CAPACITY -> {
                    refs.forEach(s -> gauge("copied", s));
                    for (int s : ints) {
                        super.visitVarInsn(Opcodes.ILOAD, s);
                        super.visitMethodInsn(Opcodes.INVOKESTATIC, GAUGE, "capacity", "(I)V", false);
                    }
                }
                case BITS -> {
                    if (receiver) {
                        for (int s : ints) {
                            super.visitVarInsn(Opcodes.ALOAD, refs.get(0));
                            super.visitVarInsn(Opcodes.ILOAD, s);
                            super.visitMethodInsn(Opcodes.INVOKESTATIC, GAUGE, "bits", "(Ljava/lang/Object;I)V", false);
                        }
                        refs.forEach(s -> gauge("sized", s));
                    } else {
                        for (int s : ints) {
                            super.visitVarInsn(Opcodes.ILOAD, s);
                            super.visitMethodInsn(Opcodes.INVOKESTATIC, GAUGE, "bits", "(I)V", false);
                        }
                        refs.forEach(s -> gauge("copied", s));
                    }
                }
                case MATCH -> gauge2("match", refs);
                case REPLACE -> {
                    if (refs.size() >= 3) {
                        for (int i = 0; i < 3; i++) {
                            super.visitVarInsn(Opcodes.ALOAD, refs.get(i));
                        }
                        super.visitMethodInsn(Opcodes.INVOKESTATIC, GAUGE, "replace",
                                "(Ljava/lang/Object;Ljava/lang/Object;Ljava/lang/Object;)V", false);
                    } else {
                        refs.forEach(s -> gauge("copied", s));
                    }
                }
                case REPEAT -> {
                    super.visitVarInsn(Opcodes.ALOAD, refs.get(0));
                    super.visitVarInsn(Opcodes.ILOAD, ints.get(0));
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, GAUGE, "repeat", "(Ljava/lang/Object;I)V", false);
                }
                case SORT -> {
                    if (!refs.isEmpty()) {
                        gauge("sort", refs.get(0));
                    }
                }
                case KEY -> {
                    int first = receiver ? 1 : 0;
                    if (refs.size() > first) {
                        gauge("deep", refs.get(first));
                    }
                }
                case SEARCH -> gauge2("search", refs);
                case CROSS -> gauge2("cross", refs);
                case COMPARED -> gauge2("compared", refs);
                default -> throw new IllegalStateException("no charge for " + cost);
            }
            for (int i = 0; i < types.size(); i++) {
                super.visitVarInsn(types.get(i).getOpcode(Opcodes.ILOAD), slots[i]);
            }
        }

        private void gauge(String method, int slot) {
            super.visitVarInsn(Opcodes.ALOAD, slot);
            super.visitMethodInsn(Opcodes.INVOKESTATIC, GAUGE, method, "(Ljava/lang/Object;)V", false);
        }

        /** A charge over the first two reference operands (receiver and argument, or two arguments). */
        private void gauge2(String method, List<Integer> refs) {
            if (refs.size() < 2) {
                refs.forEach(s -> gauge("copied", s));
                return;
            }
            super.visitVarInsn(Opcodes.ALOAD, refs.get(0));
            super.visitVarInsn(Opcodes.ALOAD, refs.get(1));
            super.visitMethodInsn(Opcodes.INVOKESTATIC, GAUGE, method, "(Ljava/lang/Object;Ljava/lang/Object;)V", false);
        }

        @Override
        public void visitInvokeDynamicInsn(String name, String desc, Handle bsm, Object... args) {
            enterHandler();
            switch (bsm.getOwner()) {
                case "java/lang/invoke/StringConcatFactory" -> concat(name, desc, bsm, args);
                case "java/lang/runtime/ObjectMethods" -> {
                    if (name.equals("toString")) {
                        super.visitMethodInsn(Opcodes.INVOKESTATIC, CALLS, "recordText",
                                "(Ljava/lang/Object;)Ljava/lang/String;", false);
                    } else if (name.equals("hashCode")) {
                        super.visitMethodInsn(Opcodes.INVOKESTATIC, CALLS, "recordHash", "(Ljava/lang/Object;)I", false);
                    } else {
                        super.visitInvokeDynamicInsn(name, desc, bsm, args);
                    }
                }
                case "java/lang/invoke/LambdaMetafactory" -> {
                    Object[] rewritten = args.clone();
                    if (rewritten.length > 1 && rewritten[1] instanceof Handle h && !own.containsKey(h.getOwner())) {
                        JdkCalls.Shim shim = JdkCalls.shim(JdkCalls.opcodeOf(h.getTag()), h.getOwner(), h.getName(), h.getDesc());
                        if (shim != null) {
                            rewritten[1] = new Handle(Opcodes.H_INVOKESTATIC, CALLS, shim.name(), shim.descriptor(), false);
                        }
                    }
                    super.visitInvokeDynamicInsn(name, desc, bsm, rewritten);
                }
                default -> super.visitInvokeDynamicInsn(name, desc, bsm, args);
            }
        }

        /**
         * String concatenation: every operand that is not a string or a primitive is turned into
         * text by {@link Calls#str}, and every string operand's length is paid for.
         */
        private void concat(String name, String desc, Handle bsm, Object[] args) {
            Type[] types = Type.getArgumentTypes(desc);
            int[] slots = new int[types.length];
            int next = base + 1;
            for (int i = 0; i < types.length; i++) {
                slots[i] = next;
                next += types[i].getSize();
            }
            for (int i = types.length - 1; i >= 0; i--) {
                super.visitVarInsn(types[i].getOpcode(Opcodes.ISTORE), slots[i]);
            }
            Type string = Type.getType(String.class);
            Type[] converted = types.clone();
            for (int i = 0; i < types.length; i++) {
                super.visitVarInsn(types[i].getOpcode(Opcodes.ILOAD), slots[i]);
                int sort = types[i].getSort();
                if (sort == Type.OBJECT || sort == Type.ARRAY) {
                    if (!types[i].equals(string)) {
                        super.visitMethodInsn(Opcodes.INVOKESTATIC, CALLS, "str", "(Ljava/lang/Object;)Ljava/lang/String;",
                                false);
                        converted[i] = string;
                    }
                    super.visitInsn(Opcodes.DUP);
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, GAUGE, "copied", "(Ljava/lang/Object;)V", false);
                }
            }
            super.visitInvokeDynamicInsn(name, Type.getMethodDescriptor(Type.getReturnType(desc), converted), bsm, args);
        }

        private void push(int value) {
            super.visitLdcInsn(value);
        }

        private void tick() {
            super.visitMethodInsn(Opcodes.INVOKESTATIC, GAUGE, "tick", "()V", false);
        }

        private void alloc() {
            super.visitInsn(Opcodes.DUP);
            super.visitMethodInsn(Opcodes.INVOKESTATIC, GAUGE, "alloc", "(I)V", false);
        }
    }
}
