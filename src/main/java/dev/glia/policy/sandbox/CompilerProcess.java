package dev.glia.policy.sandbox;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A child JVM that compiles untrusted policy source, so that javac's own pathologies cannot hang
 * or exhaust the host: it has its own heap ({@value #HEAP}), no environment, and each compilation
 * a time limit ({@link #timeoutSeconds()}, {@code glia.policy.compiler.timeout} seconds); a child
 * that overruns is killed and the next compilation starts a fresh one. Requests and answers are
 * length-prefixed frames on the child's standard input and output.
 */
final class CompilerProcess {
    static final String HEAP = "384m";
    private static final int OK = 0;
    private static final int REJECTED = 1;
    private static CompilerProcess shared;

    private Process child;
    private DataOutputStream requests;
    private DataInputStream answers;
    private final ExecutorService reader = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "glia-compiler-reader");
        t.setDaemon(true);
        return t;
    });

    static synchronized CompilerProcess shared() {
        if (shared == null) {
            shared = new CompilerProcess();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::stop, "glia-compiler-stop"));
        }
        return shared;
    }

    static long timeoutSeconds() {
        return Long.getLong("glia.policy.compiler.timeout", 20);
    }

    synchronized Map<String, byte[]> compile(String fileName, String source) {
        try {
            ensureStarted();
            byte[] text = source.getBytes(StandardCharsets.UTF_8);
            requests.writeUTF(fileName);
            requests.writeInt(text.length);
            requests.write(text);
            requests.flush();
            Future<Map<String, byte[]>> answer = reader.submit(() -> read(fileName));
            try {
                return answer.get(timeoutSeconds(), TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                answer.cancel(true);
                stop();
                throw rejected(fileName, "the compiler took more than " + timeoutSeconds() + " s on this source and was "
                        + "stopped (deeply nested generic types or expressions make javac's type inference exponential); "
                        + "simplify the types");
            } catch (ExecutionException e) {
                stop();
                if (e.getCause() instanceof PolicyRejected r) {
                    throw r;
                }
                if (e.getCause() instanceof EOFException) {
                    throw rejected(fileName, "the compiler ran out of its " + HEAP + " of memory on this source and "
                            + "was stopped; simplify the code");
                }
                throw new IllegalStateException("the policy compiler process failed: " + e.getCause(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop();
                throw new IllegalStateException("interrupted while compiling " + fileName, e);
            }
        } catch (IOException e) {
            stop();
            throw new IllegalStateException("cannot talk to the policy compiler process: " + e.getMessage(), e);
        }
    }

    private Map<String, byte[]> read(String fileName) throws IOException {
        int status = answers.readInt();
        if (status == OK) {
            int n = answers.readInt();
            Map<String, byte[]> classes = new TreeMap<>();
            for (int i = 0; i < n; i++) {
                String name = answers.readUTF();
                byte[] bytes = new byte[answers.readInt()];
                answers.readFully(bytes);
                classes.put(name, bytes);
            }
            return classes;
        }
        String what = text(answers);
        int n = answers.readInt();
        List<Diagnostic> diagnostics = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            diagnostics.add(new Diagnostic(text(answers), answers.readLong(), answers.readLong(), text(answers),
                    text(answers)));
        }
        throw new PolicyRejected(what, diagnostics);
    }

    private static PolicyRejected rejected(String fileName, String message) {
        return new PolicyRejected(fileName + " does not compile", List.of(new Diagnostic(fileName, 0, 0, "error", message)));
    }

    private void ensureStarted() throws IOException {
        if (child != null && child.isAlive()) {
            return;
        }
        String classes;
        try {
            classes = Path.of(CompilerProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (Exception e) {
            throw new IOException("cannot locate Glia's classes for the compiler process", e);
        }
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + HEAP, "-Xss64m", "-XX:+ExitOnOutOfMemoryError", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-Dfile.encoding=UTF-8", "-cp", classes, Worker.class.getName());
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().clear();
        child = builder.start();
        requests = new DataOutputStream(new BufferedOutputStream(child.getOutputStream()));
        answers = new DataInputStream(new BufferedInputStream(child.getInputStream()));
    }

    synchronized void stop() {
        if (child != null) {
            child.destroyForcibly();
            try {
                child.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            child = null;
        }
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

    /** The child's main: compiles each request in this JVM and answers on the original standard output. */
    static final class Worker {
        private Worker() {
        }

        public static void main(String[] args) throws IOException {
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out)));
            System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8));
            DataInputStream in = new DataInputStream(new BufferedInputStream(System.in));
            while (true) {
                String fileName;
                try {
                    fileName = in.readUTF();
                } catch (EOFException e) {
                    return;
                }
                byte[] source = new byte[in.readInt()];
                in.readFully(source);
                try {
                    Map<String, byte[]> classes = PolicyCompiler.compileHere(fileName,
                            new String(source, StandardCharsets.UTF_8));
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
            }
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
