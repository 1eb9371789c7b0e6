package dev.glia.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The image's Dockerfile, read (no Docker here): it builds what {@code ./glia} builds and runs it as {@code glia}, so
 * that roles are commands ({@code args: [router, ...]}).
 */
class DockerfileTest {
    private static final Path DOCKERFILE = Path.of("Dockerfile");
    private static final String APP = "target/quarkus-app";

    /** One instruction, continuation lines joined. */
    private record Instruction(String keyword, String arguments) {
    }

    private static List<List<Instruction>> stages() throws IOException {
        List<List<Instruction>> stages = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String raw : Files.readAllLines(DOCKERFILE)) {
            String text = raw.strip();
            if (line.isEmpty() && (text.isEmpty() || text.startsWith("#"))) {
                continue;
            }
            if (text.endsWith("\\")) {
                line.append(text, 0, text.length() - 1).append(' ');
                continue;
            }
            line.append(text);
            String[] parts = line.toString().split("\\s+", 2);
            line.setLength(0);
            Instruction instruction = new Instruction(parts[0].toUpperCase(), parts.length > 1 ? parts[1] : "");
            if (instruction.keyword().equals("FROM")) {
                stages.add(new ArrayList<>());
            }
            stages.get(stages.size() - 1).add(instruction);
        }
        return stages;
    }

    private static List<String> all(List<Instruction> stage, String keyword) {
        return stage.stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::arguments).toList();
    }

    @Test
    void theRuntimeRunsGliaAsItsEntrypointSoThatRolesAreArguments() throws IOException {
        List<Instruction> runtime = stages().get(stages().size() - 1);
        assertThat(all(runtime, "ENTRYPOINT")).containsExactly("[\"java\", \"-jar\", \"/app/quarkus-run.jar\"]");
    }

    @Test
    void theRuntimeCopiesTheApplicationTheLauncherRuns() throws IOException {
        List<List<Instruction>> stages = stages();
        assertThat(stages).hasSizeGreaterThanOrEqualTo(2);
        List<Instruction> build = stages.get(0);
        List<Instruction> runtime = stages.get(stages.size() - 1);

        // the build stage packages with the wrapper, as ./glia does
        assertThat(all(build, "RUN")).anyMatch(r -> r.contains("./mvnw") && r.contains("package"));
        String workdir = all(build, "WORKDIR").get(0);
        // the runtime takes Quarkus' fast-jar folder whole: quarkus-run.jar needs its lib/, app/ and quarkus/
        assertThat(all(runtime, "COPY")).contains("--from=build " + workdir + "/" + APP + " /app");
        // ... the same folder the launcher runs, and the one `mvn package` leaves (no quarkus.package override)
        assertThat(Files.readString(Path.of("glia"))).contains("target/quarkus-app/quarkus-run.jar");
        assertThat(Files.readString(Path.of("src/main/resources/application.properties")))
                .doesNotContain("quarkus.package");
        Path built = Path.of(APP, "quarkus-run.jar");
        if (Files.exists(built)) {
            assertThat(Path.of(APP, "lib")).isDirectory();
        }
    }

    @Test
    void theRuntimeIsNotRootAndCanCompilePolicies() throws IOException {
        List<List<Instruction>> stages = stages();
        List<Instruction> runtime = stages.get(stages.size() - 1);
        List<String> users = all(runtime, "USER");
        assertThat(users).hasSize(1);
        // numeric, so that Kubernetes' runAsNonRoot can check it; the chart's runAsUser is the same
        assertThat(users.get(0)).matches("[1-9][0-9]*(:[0-9]+)?");
        assertThat(Files.readString(Path.of("helm/glia/values.yaml")))
                .contains("runAsUser: " + users.get(0).split(":")[0]);
        // the policy sandbox compiles with javax.tools: the runtime Java must hold jdk.compiler
        String jlink = String.join("\n", all(stages.get(0), "RUN"));
        assertThat(jlink).contains("jlink");
        assertThat(jlink).containsAnyOf("ALL-MODULE-PATH", "jdk.compiler");
        assertThat(all(runtime, "COPY")).anyMatch(c -> c.startsWith("--from=build /opt/java"));
    }

    @Test
    void everythingTheBuildCopiesIsInTheRepositoryAndInTheBuildContext() throws IOException {
        List<String> sources = new ArrayList<>();
        for (String copy : all(stages().get(0), "COPY")) {
            List<String> words = new ArrayList<>(List.of(copy.split("\\s+")));
            words.removeIf(w -> w.startsWith("--"));
            sources.addAll(words.subList(0, words.size() - 1));
        }
        assertThat(sources).contains("pom.xml", "mvnw", ".mvn", "src", "simulator");

        List<String> allowed = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(".dockerignore"))) {
            Matcher m = Pattern.compile("^!([^*]+?)/?$").matcher(line.strip());
            if (m.matches()) {
                allowed.add(m.group(1));
            }
        }
        assertThat(Files.readAllLines(Path.of(".dockerignore"))).contains("*");
        for (String source : sources) {
            assertThat(Path.of(source)).as("COPY %s", source).exists();
            assertThat(allowed).as("%s in the build context (.dockerignore)", source).contains(source);
        }
        // and everything the POM builds from is copied: its resource folders
        String pom = Files.readString(Path.of("pom.xml"));
        Matcher resources = Pattern.compile("<directory>([^<$]+)</directory>").matcher(pom);
        while (resources.find()) {
            String top = resources.group(1).split("/")[0];
            assertThat(sources).as("the POM's resource folder %s", resources.group(1)).contains(top);
        }
    }
}
