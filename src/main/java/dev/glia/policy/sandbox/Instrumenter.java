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
 * backward jump (every loop iteration), and a {@link Gauge#alloc(int)} with the element count
 * before each array allocation. The calls are static and tiny, so the JIT inlines them.
 */
final class Instrumenter {
    static final String GAUGE = "dev/glia/policy/sandbox/Gauge";

    private Instrumenter() {
    }

    static byte[] instrument(byte[] classBytes) {
        ClassReader reader = new ClassReader(classBytes);
        ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
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

                    @Override
                    public void visitCode() {
                        super.visitCode();
                        tick();
                    }

                    @Override
                    public void visitLabel(Label label) {
                        seen.add(label);
                        super.visitLabel(label);
                    }

                    @Override
                    public void visitJumpInsn(int opcode, Label label) {
                        if (seen.contains(label)) {
                            tick();
                        }
                        super.visitJumpInsn(opcode, label);
                    }

                    @Override
                    public void visitTableSwitchInsn(int min, int max, Label dflt, Label... labels) {
                        if (backward(dflt, labels)) {
                            tick(); // takes and leaves nothing on the stack, so the key stays
                        }
                        super.visitTableSwitchInsn(min, max, dflt, labels);
                    }

                    @Override
                    public void visitLookupSwitchInsn(Label dflt, int[] keys, Label[] labels) {
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
                        if (opcode == Opcodes.NEWARRAY) {
                            alloc();
                        }
                        super.visitIntInsn(opcode, operand);
                    }

                    @Override
                    public void visitTypeInsn(int opcode, String type) {
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
        }, 0);
        return writer.toByteArray();
    }
}
