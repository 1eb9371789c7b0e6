package dev.glia.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glia.catalog.PolicyCatalog;
import dev.glia.policy.sandbox.Diagnostic;
import dev.glia.policy.sandbox.PolicyRejected;
import dev.glia.policy.sandbox.PolicySource;
import dev.glia.sim.RunWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Compile and verify a policy: its kind and parameters, or every compile error and sandbox violation (exit 1).")
public class PolicyCheckCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE|NAME", description = "A .java policy file or a bundled reference policy name.")
    String policy;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() {
        return Cli.guard(() -> {
            try {
                PolicySource source = PolicyCatalog.source(policy);
                if (json) {
                    ObjectNode o = RunWriter.JSON.createObjectNode();
                    o.put("ok", true);
                    o.put("file", source.fileName());
                    o.put("class", source.className());
                    o.put("kind", source.kind().label());
                    o.put("sha256", source.sha256());
                    o.set("parameters", RunWriter.JSON.valueToTree(source.parameters()));
                    System.out.println(RunWriter.JSON.writeValueAsString(o));
                    return 0;
                }
                System.out.printf(Locale.ROOT, "%s: OK — %s policy %s (sha256 %s)%n", source.fileName(),
                        source.kind().label(), source.className(), source.sha256().substring(0, 12));
                if (source.parameters().isEmpty()) {
                    System.out.println("  no parameters");
                }
                for (PolicySource.Parameter p : source.parameters()) {
                    System.out.printf(Locale.ROOT, "  --param %s=%s   %s [%s, %s]%s%n", p.name(), format(p.defaultValue()),
                            p.type(), format(p.min()), format(p.max()),
                            p.description().isEmpty() ? "" : "  " + p.description());
                }
                return 0;
            } catch (PolicyRejected e) {
                if (json) {
                    ObjectNode o = RunWriter.JSON.createObjectNode();
                    o.put("ok", false);
                    o.put("error", e.getMessage().lines().findFirst().orElse(""));
                    ArrayNode d = o.putArray("diagnostics");
                    for (Diagnostic x : e.diagnostics()) {
                        d.add(RunWriter.JSON.valueToTree(x));
                    }
                    System.out.println(RunWriter.JSON.writeValueAsString(o));
                } else {
                    System.err.println(e.getMessage());
                }
                return 1;
            }
        });
    }

    private static String format(double v) {
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
