package dev.glia.policy.sandbox;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import dev.glia.policy.Router;
import dev.glia.sim.Experiment;
import dev.glia.sim.engine.ClusterConfig;
import dev.glia.sim.scenario.Scenario;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Compilation and loading are two steps: what the first gives, serialised, is all the second needs. */
class CompiledPolicyTest {
    private static final Map<String, Double> SPF = Map.of("shortestPromptFirst", 1.0);

    @Test
    void aPolicyCompiledOnceAndLoadedFromItsBytesDecidesAsTheOriginal() throws Exception {
        PolicySource source = PolicySource.compileBundled("HeadroomRouter.java",
                Files.readString(Path.of("simulator/policies/HeadroomRouter.java")), Budget.DEFAULT);

        CompiledPolicy loaded = CompiledPolicy.fromBytes(source.compiled().toBytes());

        assertThat(loaded.kind()).isEqualTo(PolicySource.Kind.ROUTER);
        assertThat(loaded.className()).isEqualTo(source.className());
        assertThat(loaded.sha256()).isEqualTo(source.sha256());
        assertThat(loaded.parameters()).isEqualTo(source.parameters());
        assertThat(run(loaded.newRouter(SPF, Budget.DEFAULT))).isEqualTo(run(source.newRouter(SPF)));
    }

    @Test
    void loadingNeedsNoCompilerVerifierOrInstrumenter() {
        JavaClasses sandbox = new ClassFileImporter().importPackages("dev.glia.policy.sandbox");

        noClasses().that().haveSimpleName("CompiledPolicy")
                .should().dependOnClassesThat().haveSimpleNameStartingWith("PolicyCompiler")
                .orShould().dependOnClassesThat().haveSimpleNameStartingWith("CompilerProcess")
                .orShould().dependOnClassesThat().haveSimpleNameStartingWith("Verifier")
                .orShould().dependOnClassesThat().haveSimpleNameStartingWith("Instrumenter")
                .orShould().dependOnClassesThat().resideInAPackage("javax.tools..")
                .check(sandbox);
    }

    @Test
    void bytesThatAreNotACompiledPolicyAreRefused() {
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> CompiledPolicy.fromBytes(new byte[] {1, 2, 3, 4})))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a compiled Glia policy");
    }

    private static String run(Router router) {
        Scenario s = HostilePolicyTest.scenario(HostilePolicyTest.TIGHT);
        ClusterConfig config = Experiment.engineConfig(s);
        return HostilePolicyTest.metrics(HostilePolicyTest.run(s, config, router, null, null), config);
    }
}
