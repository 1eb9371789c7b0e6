package dev.glia;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;

/**
 * The layers of ARCHITECTURE.md, checked on the compiled main classes: dependencies point down
 * only, no package cycle, and the plain-Java layers stay free of frameworks.
 */
@AnalyzeClasses(packages = "dev.glia", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule layersFormNoCycle = slices().assignedFrom(packagesUnder("dev.glia"))
            .should().beFreeOfCycles()
            .because("each layer builds on the ones below it; a cycle makes two layers one, and nothing can be"
                    + " taken without the other (the router needs the catalog without the simulator)");

    @ArchTest
    static final ArchRule simulatorPackagesFormNoCycle = slices().assignedFrom(packagesUnder("dev.glia.sim"))
            .should().beFreeOfCycles()
            .because("the simulator's parts (engine driver, workload, scenario, metrics, the experiment on top)"
                    + " stack, not know each other in a ring");

    @ArchTest
    static final ArchRule engineModelDependsOnNothingAboveIt = classes().that().resideInAPackage("dev.glia.vllm..")
            .should().onlyDependOnClassesThat(resideOutsideOfPackage("dev.glia..")
                    .or(resideInAPackage("dev.glia.vllm.."))
                    .or(resideInAPackage("dev.glia.catalog..")))
            .because("the engine model is vLLM's engine as a clock-agnostic state machine: the simulator drives"
                    + " it on a virtual clock and the emulated engine on the wall clock, so it cannot know either"
                    + " (it reads its hardware profiles through the catalog's resources)");

    @ArchTest
    static final ArchRule policyPackagesFormNoCycle = slices().assignedFrom(packagesUnder("dev.glia.policy"))
            .should().beFreeOfCycles()
            .because("the API, the built-ins, the sandbox and the runtime stack: the sandbox contains the API's"
                    + " calls, the built-ins implement it, the runtime hosts them (LLQ its last fallback), and none"
                    + " is known to the API");

    @ArchTest
    static final ArchRule policyRuntimeNeedsNoCompiler = noClasses().that().resideInAPackage("dev.glia.policy.runtime..")
            .should().dependOnClassesThat().haveSimpleNameStartingWith("PolicyCompiler")
            .orShould().dependOnClassesThat().haveSimpleNameStartingWith("CompilerProcess")
            .orShould().dependOnClassesThat().haveSimpleNameStartingWith("Verifier")
            .orShould().dependOnClassesThat().haveSimpleNameStartingWith("Instrumenter")
            .orShould().dependOnClassesThat().resideInAPackage("javax.tools..")
            .because("the router hosts compiled policies on its request path: loading and running them needs no"
                    + " javac, verifier or instrumenter");

    @ArchTest
    static final ArchRule researchPackagesFormNoCycle = slices().assignedFrom(packagesUnder("dev.glia.research"))
            .should().beFreeOfCycles()
            .because("the agents build on the lab, the budgets and the reports, never the other way round, so the"
                    + " tuner runs without any LLM client");

    @ArchTest
    static final ArchRule policyDependsOnNothingOfGlia = classes().that().resideInAPackage("dev.glia.policy..")
            .should().onlyDependOnClassesThat(resideOutsideOfPackage("dev.glia..")
                    .or(resideInAPackage("dev.glia.policy..")))
            .because("policy is the bottom layer: the API every policy speaks, the sandbox and the runtime run"
                    + " the same bytecode in the simulator and in the router, so they cannot know either");

    @ArchTest
    static final ArchRule catalogDoesNotDependOnTheSimulator = noClasses().that().resideInAPackage("dev.glia.catalog..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.glia.sim..", "dev.glia.research..",
                    "dev.glia.cli..")
            .because("the router and the operator resolve policies and read GliaPolicy artifacts without the"
                    + " simulator; evidence taken from experiments is built above it (sim.Evidence)");

    @ArchTest
    static final ArchRule simulatorDoesNotDependOnLayersAboveIt = noClasses().that().resideInAPackage("dev.glia.sim..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.glia.research..", "dev.glia.cli..",
                    "dev.glia.metrics..")
            .because("the simulator sits below research and the command line, and beside the live metrics"
                    + " package: it computes what a router would see, it does not scrape it");

    @ArchTest
    static final ArchRule metricsDependsOnNothingOfGlia = classes().that().resideInAPackage("dev.glia.metrics..")
            .and().resideOutsideOfPackage("dev.glia.metrics.fit..")
            .should().onlyDependOnClassesThat(resideOutsideOfPackage("dev.glia..")
                    .or(resideInAPackage("dev.glia.metrics..")))
            .because("metrics parses what Prometheus and vLLM expose; the control plane and the router use it"
                    + " without the simulator or the policies");

    @ArchTest
    static final ArchRule workloadFittingWritesScenariosAndNothingElseOfGlia = classes().that()
            .resideInAPackage("dev.glia.metrics.fit..")
            .should().onlyDependOnClassesThat(resideOutsideOfPackage("dev.glia..")
                    .or(resideInAnyPackage("dev.glia.metrics..", "dev.glia.sim.scenario..", "dev.glia.catalog..")))
            .because("workload fitting (layer 4, above sim) turns metrics into a scenario, so it knows the"
                    + " scenario format and nothing else of the simulator; the rest of metrics stays free of it");

    @ArchTest
    static final ArchRule theRouterDoesNotFitWorkloads = noClasses().that().resideInAPackage("dev.glia.router..")
            .should().dependOnClassesThat().resideInAPackage("dev.glia.metrics.fit..")
            .because("the router uses the metrics parser without the simulator; fitting belongs to the control"
                    + " plane and the command line");

    @ArchTest
    static final ArchRule researchDoesNotDependOnTheCommandLine = noClasses().that().resideInAPackage("dev.glia.research..")
            .should().dependOnClassesThat().resideInAPackage("dev.glia.cli..")
            .because("cli is the thin top layer of commands; research runs in the operator's sessions without it");

    @ArchTest
    static final ArchRule nothingBelowTheAdaptersUsesTheEmulatedEngine = noClasses().that()
            .resideInAnyPackage("dev.glia.policy..", "dev.glia.catalog..", "dev.glia.vllm..", "dev.glia.sim..",
                    "dev.glia.metrics..", "dev.glia.research..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.glia.engine..", "dev.glia.load..")
            .because("glia engine and glia load are adapters to the world (HTTP): the engine model they drive"
                    + " lives below them in vllm, and nothing the simulator or research needs may need a server");

    @ArchTest
    static final ArchRule onlyTheCommandLineUsesTheRouter = classes().that().resideInAPackage("dev.glia.router..")
            .should().onlyHaveDependentClassesThat(resideInAnyPackage("dev.glia.router..", "dev.glia.cli.."))
            .because("the router is an adapter (HTTP, Prometheus) over the policy API, the metrics parser and the"
                    + " engine's tokenizer; only the command line starts one");

    @ArchTest
    static final ArchRule discoveryKnowsNothingOfTheRestOfTheRouter = classes().that()
            .resideInAPackage("dev.glia.router.discovery..")
            .should().onlyDependOnClassesThat(resideOutsideOfPackage("dev.glia..")
                    .or(resideInAPackage("dev.glia.router.discovery..")))
            .because("discovery only decides which engines exist and publishes them; the verticle consumes the"
                    + " sets, so the decision is tested without a router and the router without Kubernetes");

    @ArchTest
    static final ArchRule inTheRouterOnlyDiscoveryTalksToKubernetes = noClasses().that()
            .resideInAPackage("dev.glia.router..").and().resideOutsideOfPackage("dev.glia.router.discovery..")
            .should().dependOnClassesThat().resideInAPackage("io.fabric8..")
            .because("the Kubernetes client is an adapter of engine discovery: the request path sees endpoints,"
                    + " never pods (fabric8 types stay inside router.discovery)");

    @ArchTest
    static final ArchRule onlyTheCommandLineUsesTheLoadGenerator = classes().that().resideInAPackage("dev.glia.load..")
            .should().onlyHaveDependentClassesThat(resideInAnyPackage("dev.glia.load..", "dev.glia.cli.."))
            .because("load is an adapter that drives servers over HTTP; the layers below it replay workloads in"
                    + " the simulator, and only the command line starts a load run");

    @ArchTest
    static final ArchRule plainJavaLayersUseNoFramework = noClasses().that()
            .resideInAnyPackage("dev.glia.policy..", "dev.glia.vllm..", "dev.glia.sim..", "dev.glia.metrics..",
                    "dev.glia.catalog..", "dev.glia.control..")
            .should().dependOnClassesThat().resideInAnyPackage("io.quarkus..", "io.quarkiverse..",
                    "dev.langchain4j..", "jakarta..", "io.vertx..", "io.fabric8..")
            .because("policy, catalog, the engine model, sim, metrics and control are plain Java: the same classes run in a worker JVM,"
                    + " in tests and behind any adapter; frameworks belong to the adapters (router, operator, cli)");

    @ArchTest
    static final ArchRule controlIsPlainJava = classes().that().resideInAPackage("dev.glia.control..")
            .should().onlyDependOnClassesThat(resideInAnyPackage("java..", "dev.glia.control..", "dev.glia.policy..",
                    "dev.glia.vllm..", "dev.glia.sim..", "dev.glia.metrics..", "dev.glia.catalog.."))
            .because("control holds the control plane's decisions (rollout, canary verdict, drift, autoscaling) in"
                    + " plain Java, unit-tested without Kubernetes: nothing of fabric8, Quarkus, Vert.x, Jackson, the"
                    + " router's or the operator's code; it may use the plain layers below it");

    @ArchTest
    static final ArchRule controlDecidesAndAdaptersTalk = noClasses().that().resideInAPackage("dev.glia.control..")
            .should().dependOnClassesThat().resideInAnyPackage("java.net.http..", "java.nio.channels..")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("java.net.Socket")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("java.lang.ProcessBuilder")
            .because("control decides from what it is handed (state, event, the time); the operator's adapters"
                    + " talk to the router (operator.router), Kubernetes and Prometheus and feed it");

    @ArchTest
    static final ArchRule onlyTheOperatorAndTheCommandLineUseControl = classes().that()
            .resideInAPackage("dev.glia.control..")
            .should().onlyHaveDependentClassesThat(resideInAnyPackage("dev.glia.control..", "dev.glia.operator..",
                    "dev.glia.cli.."))
            .because("control sits above the simulator, research and metrics and below the adapters: the operator"
                    + " asks it, the command line may show its decisions, and nothing below it may know it");

    @ArchTest
    static final ArchRule customResourcesKnowOnlyFabric8AndJackson = classes().that()
            .resideInAPackage("dev.glia.operator.crd..")
            .should().onlyDependOnClassesThat(resideInAnyPackage("java..", "io.fabric8..", "com.fasterxml.jackson..",
                    "dev.glia.operator.crd.."))
            .because("the custom resources are the Kubernetes API of Glia: the CRDs are generated from them at build,"
                    + " and GitOps tools, tests and other clients read them without the operator, the simulator or"
                    + " Quarkus");

    @ArchTest
    static final ArchRule nothingBelowTheAdaptersUsesTheOperator = noClasses().that()
            .resideInAnyPackage("dev.glia.policy..", "dev.glia.catalog..", "dev.glia.vllm..", "dev.glia.sim..",
                    "dev.glia.metrics..", "dev.glia.research..", "dev.glia.control..")
            .should().dependOnClassesThat().resideInAPackage("dev.glia.operator..")
            .because("the operator is an adapter to Kubernetes: the decisions it asks for (rollout, canary verdict,"
                    + " drift) live below it in plain Java and cannot know its custom resources");

    /** {@code root} itself and each package right under it (with its subpackages) as one slice. */
    private static SliceAssignment packagesUnder(String root) {
        return new SliceAssignment() {
            @Override
            public SliceIdentifier getIdentifierOf(JavaClass c) {
                String p = c.getPackageName();
                if (p.equals(root)) {
                    return SliceIdentifier.of(root);
                }
                if (p.startsWith(root + ".")) {
                    return SliceIdentifier.of(root + "." + p.substring(root.length() + 1).split("\\.")[0]);
                }
                return SliceIdentifier.ignore();
            }

            @Override
            public String getDescription() {
                return "the packages right under " + root + ", and " + root + " itself";
            }
        };
    }
}
