package dev.glia.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.glia.policy.PolicyArtifact;
import dev.glia.policy.sandbox.Budget;
import dev.glia.policy.sandbox.PolicySource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes and reads {@link PolicyArtifact}s (YAML, like any Kubernetes manifest). The router reads
 * them too, so this knows nothing of the simulator; the evidence they carry is built by
 * {@code dev.glia.sim.Evidence}.
 */
public final class Artifacts {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    private Artifacts() {
    }

    public static void write(Path file, PolicyArtifact artifact) {
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            Files.writeString(file, toYaml(artifact));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    public static String toYaml(PolicyArtifact artifact) {
        try {
            return YAML.writeValueAsString(artifact);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads an artifact and checks that its source still matches its recorded hash. */
    public static PolicyArtifact read(Path file) {
        try {
            return parse(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads an artifact from its YAML text (e.g. the {@code policy} field of {@code glia optimize --json}) and
     * checks that its source still matches its recorded hash; {@code file} names where it came from in messages.
     */
    public static PolicyArtifact parse(String text, String file) {
        try {
            PolicyArtifact a = YAML.readValue(text, PolicyArtifact.class);
            if (!PolicyArtifact.KIND.equals(a.kind()) || a.spec() == null || a.spec().source() == null) {
                throw new IllegalArgumentException(file + " is not a GliaPolicy artifact (kind: " + a.kind() + ")");
            }
            String actual = PolicySource.compile(a.spec().className() + ".java", a.spec().source(),
                    Budget.DEFAULT).sha256();
            if (!actual.equals(a.spec().sha256())) {
                throw new IllegalArgumentException(file + ": spec.source does not match spec.sha256 (" + actual
                        + " vs " + a.spec().sha256() + "); the source was changed after its evidence was taken");
            }
            return a;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
