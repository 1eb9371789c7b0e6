package dev.glia.policy.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * One policy's classes, isolated: each instance defines the policy's (instrumented) classes and
 * its own copies of {@link Gauge} and {@link Calls}, so counters are private to the policy
 * instance; everything else (the policy API, the JDK) comes from the parent.
 */
final class PolicyClassLoader extends ClassLoader {
    /** The sandbox's runtime support, defined again in every policy loader. */
    private static final Map<String, byte[]> SUPPORT = Map.of(Instrumenter.GAUGE, bytes(Instrumenter.GAUGE),
            Instrumenter.CALLS, bytes(Instrumenter.CALLS));

    private final Map<String, byte[]> classes;

    PolicyClassLoader(Map<String, byte[]> classes) {
        super("glia-policy", PolicyClassLoader.class.getClassLoader());
        for (String support : SUPPORT.keySet()) {
            if (classes.containsKey(support)) {
                throw new IllegalArgumentException("a policy may not define " + support);
            }
        }
        this.classes = classes;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        synchronized (getClassLoadingLock(name)) {
            String internal = name.replace('.', '/');
            byte[] support = SUPPORT.get(internal);
            if (support != null || classes.containsKey(internal)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    byte[] bytes = support != null ? support : classes.get(internal);
                    c = defineClass(name, bytes, 0, bytes.length);
                }
                if (resolve) {
                    resolveClass(c);
                }
                return c;
            }
            return super.loadClass(name, resolve);
        }
    }

    private static byte[] bytes(String internalName) {
        try (InputStream in = PolicyClassLoader.class.getClassLoader().getResourceAsStream(internalName + ".class")) {
            if (in == null) {
                throw new IllegalStateException(internalName + ".class is missing from the application");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
