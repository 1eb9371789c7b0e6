package dev.glia.policy.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * One policy's classes, isolated: each instance defines the policy's (instrumented) classes and
 * its own copy of {@link Gauge}, so counters are private to the policy instance; everything else
 * (the policy API, the JDK) comes from the parent.
 */
final class PolicyClassLoader extends ClassLoader {
    private static final byte[] GAUGE_BYTES = gaugeBytes();

    private final Map<String, byte[]> classes;

    PolicyClassLoader(Map<String, byte[]> classes) {
        super("glia-policy", PolicyClassLoader.class.getClassLoader());
        if (classes.containsKey(Instrumenter.GAUGE)) {
            throw new IllegalArgumentException("a policy may not define " + Instrumenter.GAUGE);
        }
        this.classes = classes;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        synchronized (getClassLoadingLock(name)) {
            String internal = name.replace('.', '/');
            if (internal.equals(Instrumenter.GAUGE) || classes.containsKey(internal)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    byte[] bytes = internal.equals(Instrumenter.GAUGE) ? GAUGE_BYTES : classes.get(internal);
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

    private static byte[] gaugeBytes() {
        try (InputStream in = PolicyClassLoader.class.getClassLoader().getResourceAsStream(Instrumenter.GAUGE + ".class")) {
            if (in == null) {
                throw new IllegalStateException("Gauge.class is missing from the application");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
