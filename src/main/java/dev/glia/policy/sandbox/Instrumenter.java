package dev.glia.policy.sandbox;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import java.util.HashSet;
import java.util.Set;

/**
 * Makes every call terminate: a {@link Gauge#tick()} at each method entry and before each
 * backward jump (every loop iteration); a {@link Gauge#alloc(int)} with the element count before
 * each array allocation and each JDK call that allocates by a size argument; and a
 * rethrow of any Error at the top of each exception handler, so that none is swallowed. The
 * calls are static and tiny, so the JIT inlines them.
 */
final class Instrumenter {
    static final String GAUGE = "dev/glia/policy/sandbox/Gauge";

    /** JDK calls that allocate in proportion to their last (int) argument: charged like arrays. */
    private static final java.util.Set<String> SIZED = java.util.Set.of(
            "java/lang/String.repeat", "java/util/Arrays.copyOf", "java/util/Arrays.copyOfRange",
            "java/util/ArrayList.<init>", "java/util/ArrayList.ensureCapacity", "java/util/ArrayDeque.<init>",
            "java/util/LinkedHashMap.<init>", "java/util/LinkedHashSet.<init>", "java/util/PriorityQueue.<init>",
            "java/util/BitSet.<init>", "java/util/BitSet.set", "java/lang/StringBuilder.<init>",
            "java/lang/StringBuilder.ensureCapacity", "java/lang/StringBuilder.setLength", "java/util/Collections.nCopies");

    private Instrumenter() {
    }

    /**
     * Instruments one class of a policy; {@code all} holds every class of the policy (internal
     * name to bytes), which frame computation needs to find common superclasses.
     */
    static byte[] instrument(byte[] classBytes, java.util.Map<String, byte[]> all) {
        ClassReader reader = new ClassReader(classBytes);
        ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_FRAMES) {
            @Override
            protected String getCommonSuperClass(String a, String b) {
                return Hierarchy.commonSuperClass(a, b, all);
            }
        };
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
                if ((access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0) {
                    return mv;
                }
                return new MethodVisitor(Opcodes.ASM9, mv) {
                    private final Set<Label> seen = new HashSet<>();
                    private final Set<Label> handlers = new HashSet<>();
                    /** Every try-catch block: start, end, handler. */
                    private final java.util.List<Label[]> blocks = new java.util.ArrayList<>();
                    private boolean atHandler;
                    /** Ends of the ranges that cover the current handler's own first instructions. */
                    private final Set<Label> openRanges = new HashSet<>();
                    private int caughtIn = -1;

                    @Override
                    public void visitTryCatchBlock(Label start, Label end, Label handler, String type) {
                        handlers.add(handler);
                        blocks.add(new Label[] {start, end, handler});
                        super.visitTryCatchBlock(start, end, handler, type);
                    }

                    /**
                     * The first instruction of a handler, with the caught Throwable on the stack: an
                     * Error (an overrun, a stack overflow, exhausted memory) is thrown on at once, so
                     * no handler, {@code finally} included, can swallow it. Inline, without a call:
                     * near a stack overflow a call would only overflow again.
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
                                // javac lets a finally handler sit inside its own range (it covers
                                // the store): an Error rethrown there would be caught by the same
                                // handler again, forever; the check waits until those ranges end
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
                        super.visitInsn(opcode);
                    }

                    @Override
                    public void visitFieldInsn(int opcode, String owner, String name, String descriptor) {
                        enterHandler();
                        super.visitFieldInsn(opcode, owner, name, descriptor);
                    }

                    @Override
                    public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean itf) {
                        enterHandler();
                        if (SIZED.contains(owner + "." + name) && descriptor.contains("I)")
                                && descriptor.substring(0, descriptor.indexOf(')')).endsWith("I")) {
                            alloc();
                        }
                        super.visitMethodInsn(opcode, owner, name, descriptor, itf);
                    }

                    @Override
                    public void visitInvokeDynamicInsn(String name, String descriptor, org.objectweb.asm.Handle bsm,
                                                       Object... args) {
                        enterHandler();
                        super.visitInvokeDynamicInsn(name, descriptor, bsm, args);
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
                    public void visitCode() {
                        super.visitCode();
                        tick();
                    }

                    @Override
                    public void visitLabel(Label label) {
                        seen.add(label);
                        if (handlers.contains(label)) {
                            atHandler = true;
                            openRanges.clear();
                            for (Label[] b : blocks) {
                                if (b[2] == label && seen.contains(b[0]) && !seen.contains(b[1])) {
                                    openRanges.add(b[1]);
                                }
                            }
                        }
                        super.visitLabel(label);
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

                    private void tick() {
                        super.visitMethodInsn(Opcodes.INVOKESTATIC, GAUGE, "tick", "()V", false);
                    }

                    private void alloc() {
                        super.visitInsn(Opcodes.DUP);
                        super.visitMethodInsn(Opcodes.INVOKESTATIC, GAUGE, "alloc", "(I)V", false);
                    }
                };
            }
        }, ClassReader.SKIP_FRAMES);
        return writer.toByteArray();
    }
}
