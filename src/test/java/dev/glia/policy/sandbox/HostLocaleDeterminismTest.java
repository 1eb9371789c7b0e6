package dev.glia.policy.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glia.sim.Experiment;
import dev.glia.sim.engine.ClusterConfig;
import dev.glia.sim.scenario.Scenario;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TimeZone;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Two runs of the same accepted policy give the same bytes, whatever the host's default locale and
 * time zone: text a policy makes is formatted in {@link Locale#ROOT}, and nothing of the clock or
 * the zone reaches it.
 */
class HostLocaleDeterminismTest {
    /** A router whose decisions depend on text it formats, case-maps, joins and hashes. */
    static final String TEXTUAL = """
            import dev.glia.policy.*;
            import java.util.*;
            import java.util.stream.*;

            public class Textual implements Router {
                enum Mood { CALM, BUSY }

                record Note(Mood mood, Object detail, double load) { }

                public void route(ClusterView c, Dispatch d) {
                    for (RequestView r : c.queue()) {
                        double load = r.promptTokens() / 1000.0;
                        String formatted = String.format("%.2f|%,d|%s", load, r.promptTokens() * 1000, "istanbul".toUpperCase());
                        String lower = "TITLE".toLowerCase() + "%e".formatted(load);
                        Note note = new Note(load > 0.5 ? Mood.BUSY : Mood.CALM, List.of(r.promptTokens()), load);
                        String joined = Stream.of(formatted, lower, note.toString(), String.valueOf(load))
                                .collect(Collectors.joining(";"));
                        int h = Objects.hash(joined, note, note.mood(), Mood.CALM.hashCode()) ^ joined.hashCode();
                        int k = Math.floorMod(h, c.replicas().size());
                        d.send(r, c.replicas().get(k));
                    }
                }
            }
            """;

    static Stream<Arguments> policies() throws Exception {
        Path policies = Path.of("simulator/policies");
        return Stream.of(
                Arguments.of("Textual.java", TEXTUAL),
                Arguments.of("HeadroomRouter.java", Files.readString(policies.resolve("HeadroomRouter.java"))),
                Arguments.of("LeastLoadedRouter.java", Files.readString(policies.resolve("LeastLoadedRouter.java"))));
    }

    @ParameterizedTest(name = "{0} gives the same bytes under tr/Istanbul and de/Pacific as under the host's defaults")
    @MethodSource("policies")
    void aPolicyGivesTheSameBytesUnderAnyHostLocaleAndTimeZone(String file, String source) {
        PolicySource policy = PolicySource.compile(file, source, Budget.DEFAULT);
        String reference = run(policy);
        Locale locale = Locale.getDefault();
        TimeZone zone = TimeZone.getDefault();
        try {
            for (String[] host : new String[][] {{"tr-TR", "Europe/Istanbul"}, {"de-DE", "America/Los_Angeles"},
                                                 {"ar-EG", "Asia/Kolkata"}}) {
                Locale.setDefault(Locale.forLanguageTag(host[0]));
                TimeZone.setDefault(TimeZone.getTimeZone(host[1]));
                assertThat(run(policy)).as("%s under %s, %s", file, host[0], host[1]).isEqualTo(reference);
            }
        } finally {
            Locale.setDefault(locale);
            TimeZone.setDefault(zone);
        }
    }

    private static String run(PolicySource policy) {
        Scenario s = HostilePolicyTest.scenario(HostilePolicyTest.TIGHT);
        ClusterConfig config = Experiment.engineConfig(s);
        return HostilePolicyTest.metrics(HostilePolicyTest.run(s, config, policy.newRouter(Map.of()), null, null), config);
    }
}
