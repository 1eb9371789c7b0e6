package dev.glia.operator;

import dev.glia.operator.crd.v1alpha1.GliaOptimization;
import dev.glia.operator.crd.v1alpha1.GliaOptimizationSpec;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The shipped {@code k8s-examples} GliaOptimizations as the operator's tests start from them, and the changes those
 * tests make alike: the router at a local address, research by the tuner (no LLM) on a bundled scenario.
 */
final class Examples {
    static final Path OPTIMIZATION = Path.of("k8s-examples/optimization.yaml");
    static final Path AUTOSCALING = Path.of("k8s-examples/autoscaling-optimization.yaml");

    private Examples() {
    }

    /** The file as shipped. */
    static GliaOptimization read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return Serialization.unmarshal(in, GliaOptimization.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The file as shipped, in {@code namespace}, renamed unless {@code name} is null. */
    static GliaOptimization read(Path file, String namespace, String name) {
        GliaOptimization o = read(file);
        o.getMetadata().setNamespace(namespace);
        if (name != null) {
            o.getMetadata().setName(name);
        }
        return o;
    }

    /** The router at {@code url} (its admin API on {@code adminPort}, null: the shipped one) instead of a Service. */
    static void routerAt(GliaOptimizationSpec spec, String url, Integer adminPort) {
        spec.target.router.service = null;
        spec.target.router.url = url;
        if (adminPort != null) {
            spec.target.router.adminPort = adminPort;
        }
    }

    /**
     * Research by the tuner on 40 simulations, the objective without its constraints, and, unless
     * {@code bundledScenario} is null, that bundled scenario at its own duration.
     */
    static void tuner(GliaOptimizationSpec spec, String bundledScenario) {
        spec.objective.constraints = null;
        if (bundledScenario != null) {
            spec.scenario.source = GliaOptimizationSpec.ScenarioSource.SYNTHETIC;
            spec.scenario.synthetic = new GliaOptimizationSpec.SyntheticScenario();
            spec.scenario.synthetic.name = bundledScenario;
            spec.scenario.duration = null;
        }
        spec.research.strategy = GliaOptimizationSpec.Strategy.TUNER;
        spec.research.model = null;
        spec.research.budgets.simulations = 40;
    }
}
