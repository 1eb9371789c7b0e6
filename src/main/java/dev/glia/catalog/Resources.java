package dev.glia.catalog;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The bundled {@code simulator/} folder (scenarios, workloads, hardware, reference policies): read
 * from the classpath, where the build puts it, so the application works from any directory. It
 * sits with the policy catalog, below the simulator, because the catalog's index lives in it too.
 */
public final class Resources {
    public static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private Resources() {
    }

    /** Opens {@code simulator/<relative>} from the classpath, or null if it is not bundled. */
    public static InputStream open(String relative) {
        return Resources.class.getClassLoader().getResourceAsStream("simulator/" + relative);
    }

    public static boolean exists(String relative) {
        try (InputStream in = open(relative)) {
            return in != null;
        } catch (IOException e) {
            return false;
        }
    }

    public static String read(String relative) {
        try (InputStream in = open(relative)) {
            if (in == null) {
                throw new IllegalArgumentException("simulator/" + relative + " is not bundled");
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
