package dev.glia.policy.sandbox;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.Opcodes;

/**
 * Superclass chains for stack-map frame computation, over the policy's own classes (from their
 * bytes: they are not loadable yet) and the JDK and policy API (loaded without initialising).
 */
final class Hierarchy {
    private Hierarchy() {
    }

    static String commonSuperClass(String a, String b, Map<String, byte[]> own) {
        if (isInterface(a, own) || isInterface(b, own)) {
            return "java/lang/Object";
        }
        Set<String> chain = new LinkedHashSet<>();
        for (String t = a; t != null; t = superName(t, own)) {
            chain.add(t);
        }
        for (String t = b; t != null; t = superName(t, own)) {
            if (chain.contains(t)) {
                return t;
            }
        }
        return "java/lang/Object";
    }

    private static boolean isInterface(String type, Map<String, byte[]> own) {
        byte[] bytes = own.get(type);
        if (bytes != null) {
            return (new ClassReader(bytes).getAccess() & Opcodes.ACC_INTERFACE) != 0;
        }
        Class<?> c = load(type);
        return c != null && c.isInterface();
    }

    private static String superName(String type, Map<String, byte[]> own) {
        byte[] bytes = own.get(type);
        if (bytes != null) {
            return new ClassReader(bytes).getSuperName();
        }
        Class<?> c = load(type);
        return c == null || c.getSuperclass() == null ? null : c.getSuperclass().getName().replace('.', '/');
    }

    private static Class<?> load(String type) {
        try {
            return Class.forName(type.replace('/', '.'), false, Hierarchy.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }
}
