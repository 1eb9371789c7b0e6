package dev.glia.research.agent;

import dev.glia.catalog.PolicyCatalog;
import dev.glia.catalog.Resources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A research context's own folder. It starts where the Glia paper's Researcher starts: the task,
 * the scenario, the policy API and the baseline's source, nothing more; the bundled reference
 * policies are added only when the session asks for the library. File tools can reach nothing
 * outside it: paths are resolved inside the root, and anything that escapes (.., absolute paths,
 * symbolic links) is refused.
 */
public final class Workspace {
    private static final long MAX_FILE_BYTES = 256 * 1024;

    private final Path root;

    private Workspace(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /**
     * Creates the folder: {@code TASK.md}, {@code POLICY_API.md}, {@code scenarios/<name>.yaml},
     * the baseline's source under {@code policies/} (if it has one) and, with {@code library},
     * every reference policy with {@code policies/index.yaml}.
     */
    public static Workspace create(Path root, String task, String scenarioName, String scenarioYaml,
                                   String baselineSource, boolean library) {
        Workspace w = new Workspace(root);
        try {
            Files.createDirectories(w.root.resolve("policies"));
            Files.createDirectories(w.root.resolve("scenarios"));
            Files.writeString(w.root.resolve("scenarios/" + scenarioName + ".yaml"), scenarioYaml);
            TreeSet<String> sources = new TreeSet<>();
            if (baselineSource != null) {
                sources.add(baselineSource);
            }
            if (library) {
                PolicyCatalog.references().values().forEach(r -> sources.add(r.source()));
                Files.writeString(w.root.resolve("policies/index.yaml"), Resources.read("policies/index.yaml"));
            }
            for (String source : sources) {
                Files.writeString(w.root.resolve("policies/" + source), Resources.read("policies/" + source));
            }
            Files.writeString(w.root.resolve("POLICY_API.md"), Prompts.POLICY_API);
            Files.writeString(w.root.resolve("TASK.md"), task);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the workspace " + root + ": " + e.getMessage(), e);
        }
        return w;
    }

    /** Puts a file into the workspace from outside the tools (a digest's policy from an earlier context). */
    void put(String relative, String content) {
        try {
            Path f = resolve(relative);
            Files.createDirectories(f.getParent());
            Files.writeString(f, content);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + relative + " into the workspace: " + e.getMessage(), e);
        }
    }

    public Path root() {
        return root;
    }

    /** A path inside the workspace, or an error the agent can act on. */
    public Path resolve(String relative) {
        if (relative == null || relative.isBlank()) {
            throw new ToolError("a path is required (relative to the workspace, e.g. policies/MyRouter.java)");
        }
        Path p = Path.of(relative);
        if (p.isAbsolute()) {
            throw new ToolError("absolute paths are outside the workspace; use a path relative to it, e.g. policies/MyRouter.java");
        }
        Path resolved = root.resolve(p).normalize();
        if (!resolved.startsWith(root)) {
            throw new ToolError("'" + relative + "' leads outside the workspace");
        }
        for (Path q = resolved; q != null && q.startsWith(root) && !q.equals(root); q = q.getParent()) {
            if (Files.isSymbolicLink(q)) {
                throw new ToolError("'" + relative + "' goes through a symbolic link, which the workspace does not follow");
            }
        }
        return resolved;
    }

    public String relative(Path p) {
        return root.relativize(p).toString();
    }

    public List<String> list(String relative) {
        Path dir = relative == null || relative.isBlank() || relative.equals(".") ? root : resolve(relative);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new ToolError("'" + relative + "' is not a folder of the workspace");
        }
        try (Stream<Path> files = Files.walk(dir, 3)) {
            List<String> out = new ArrayList<>();
            files.filter(f -> !f.equals(dir) && !Files.isSymbolicLink(f)).sorted().forEach(f -> {
                String name = relative(f) + (Files.isDirectory(f) ? "/" : "");
                if (!name.startsWith("runs/run-") || name.chars().filter(c -> c == '/').count() <= 2) {
                    out.add(name);
                }
            });
            return out;
        } catch (IOException e) {
            throw new ToolError("cannot list '" + relative + "': " + e.getMessage());
        }
    }

    public String read(String relative) {
        Path f = resolve(relative);
        try {
            if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                throw new ToolError("no file '" + relative + "'; list_files shows what exists");
            }
            if (Files.size(f) > MAX_FILE_BYTES) {
                throw new ToolError("'" + relative + "' is " + Files.size(f) + " bytes; query run logs with query_runs instead");
            }
            return Files.readString(f);
        } catch (IOException e) {
            throw new ToolError("cannot read '" + relative + "': " + e.getMessage());
        }
    }

    public void write(String relative, String content) {
        Path f = resolve(relative);
        if (content == null) {
            throw new ToolError("content is required");
        }
        if (content.length() > MAX_FILE_BYTES) {
            throw new ToolError("content of " + content.length() + " characters is too large (limit " + MAX_FILE_BYTES + ")");
        }
        if (relative(f).startsWith("runs")) {
            throw new ToolError("runs/ holds experiment outputs and is read-only");
        }
        try {
            Files.createDirectories(f.getParent());
            Files.writeString(f, content);
        } catch (IOException e) {
            throw new ToolError("cannot write '" + relative + "': " + e.getMessage());
        }
    }

    /** A line diff of two workspace files, in unified style without context. */
    public String diff(String a, String b) {
        List<String> x = read(a).lines().toList();
        List<String> y = read(b).lines().toList();
        if (x.size() * (long) y.size() > 4_000_000L) {
            throw new ToolError("files too long to diff");
        }
        int[][] lcs = new int[x.size() + 1][y.size() + 1];
        for (int i = x.size() - 1; i >= 0; i--) {
            for (int j = y.size() - 1; j >= 0; j--) {
                lcs[i][j] = x.get(i).equals(y.get(j)) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        StringBuilder out = new StringBuilder("--- " + a + "\n+++ " + b + "\n");
        int i = 0;
        int j = 0;
        while (i < x.size() || j < y.size()) {
            if (i < x.size() && j < y.size() && x.get(i).equals(y.get(j))) {
                i++;
                j++;
            } else if (j < y.size() && (i == x.size() || lcs[i][j + 1] >= lcs[i + 1][j])) {
                out.append(String.format("+%4d: %s%n", j + 1, y.get(j++)));
            } else {
                out.append(String.format("-%4d: %s%n", i + 1, x.get(i++)));
            }
        }
        return out.toString();
    }
}
