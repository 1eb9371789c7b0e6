package dev.glia.policy.sandbox;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Compiles untrusted policy source in a child JVM ({@link WorkerProcess}), so that javac's own
 * pathologies cannot hang or exhaust the host: the child has its own heap ({@value #HEAP}), no
 * environment, and each compilation a time limit ({@code glia.policy.compiler.timeout} seconds of
 * wall-clock time, default 6; a warm javac compiles a policy in well under a second). The child is reused between compilations and replaced when it is stopped.
 */
final class CompilerProcess {
    static final String HEAP = "384m";
    private static final int OK = 0;
    private static final int REJECTED = 1;
    private static final WorkerProcess WORKER = new WorkerProcess("policy compiler", HEAP,
            () -> ChildJvm.builder(HEAP, List.of(), Main.class, List.of("-Xss64m", "-XX:TieredStopAtLevel=1"), List.of())
                    .redirectError(ProcessBuilder.Redirect.DISCARD));

    private CompilerProcess() {
    }

    static long timeoutSeconds() {
        return Long.getLong("glia.policy.compiler.timeout", 6);
    }

    static Map<String, byte[]> compile(String fileName, String source) {
        byte[] answer;
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream request = new DataOutputStream(bytes);
            request.writeUTF(fileName);
            text(request, source);
            answer = WORKER.call(bytes.toByteArray(), timeoutSeconds(), 2.0 * timeoutSeconds());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (WorkerProcess.Failed f) {
            throw new PolicyRejected(fileName + " does not compile", List.of(new Diagnostic(fileName, 0, 0, "error",
                    switch (f.reason()) {
                        case WALL_CLOCK, CPU_TIME -> "the compiler took more than " + timeoutSeconds() + " s on this "
                                + "source and was stopped (deeply nested generic types or expressions make javac's "
                                + "type inference exponential); simplify the types";
                        case OUT_OF_MEMORY -> "the compiler ran out of its " + HEAP + " of memory on this source and was "
                                + "stopped; simplify the code";
                        case DIED -> f.getMessage();
                    })));
        }
        try {
            return read(new DataInputStream(new ByteArrayInputStream(answer)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, byte[]> read(DataInputStream in) throws IOException {
        if (in.readInt() == OK) {
            int n = in.readInt();
            Map<String, byte[]> classes = new TreeMap<>();
            for (int i = 0; i < n; i++) {
                String name = in.readUTF();
                byte[] bytes = new byte[in.readInt()];
                in.readFully(bytes);
                classes.put(name, bytes);
            }
            return classes;
        }
        String what = text(in);
        int n = in.readInt();
        List<Diagnostic> diagnostics = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            diagnostics.add(new Diagnostic(text(in), in.readLong(), in.readLong(), text(in), text(in)));
        }
        throw new PolicyRejected(what, diagnostics);
    }

    private static void text(DataOutputStream out, String s) throws IOException {
        byte[] b = (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String text(DataInputStream in) throws IOException {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** The child's main: compiles each request in its own JVM. */
    static final class Main {
        private Main() {
        }

        public static void main(String[] args) throws IOException {
            WorkerProcess.serve(Main::warmUp, request -> {
                try {
                    DataInputStream in = new DataInputStream(new ByteArrayInputStream(request));
                    String fileName = in.readUTF();
                    String source = text(in);
                    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                    DataOutputStream out = new DataOutputStream(bytes);
                    try {
                        Map<String, byte[]> classes = PolicyCompiler.compileHere(fileName, source);
                        out.writeInt(OK);
                        out.writeInt(classes.size());
                        for (Map.Entry<String, byte[]> c : classes.entrySet()) {
                            out.writeUTF(c.getKey());
                            out.writeInt(c.getValue().length);
                            out.write(c.getValue());
                        }
                    } catch (PolicyRejected r) {
                        answer(out, r.getMessage().lines().findFirst().orElse(fileName), r.diagnostics());
                    } catch (StackOverflowError | RuntimeException e) {
                        answer(out, fileName + " does not compile",
                                List.of(new Diagnostic(fileName, 0, 0, "error", PolicyCompiler.crash(e))));
                    }
                    out.flush();
                    return bytes.toByteArray();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }

        /**
         * Compiles a small policy once before saying it is ready: javac's classes are loaded and its
         * hottest paths compiled, so the first real source meets its time limit with a warm compiler.
         */
        private static void warmUp() {
            String source = "import dev.glia.policy.*;\nimport java.util.*;\npublic class Warm implements Router {\n"
                    + "    public void route(ClusterView c, Dispatch d) {\n"
                    + "        List<RequestView> q = new ArrayList<>(c.queue());\n"
                    + "        q.sort(Comparator.comparingInt(RequestView::promptTokens));\n"
                    + "        for (RequestView r : q) { d.send(r, c.replicas().get(0)); }\n    }\n}\n";
            PolicyCompiler.compileHere("Warm.java", source);
        }

        private static void answer(DataOutputStream out, String what, List<Diagnostic> diagnostics) throws IOException {
            out.writeInt(REJECTED);
            text(out, what.endsWith(":") ? what.substring(0, what.length() - 1) : what);
            out.writeInt(diagnostics.size());
            for (Diagnostic d : diagnostics) {
                text(out, d.file());
                out.writeLong(d.line());
                out.writeLong(d.column());
                text(out, d.kind());
                text(out, d.message());
            }
        }
    }
}
