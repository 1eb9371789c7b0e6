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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * A reusable child JVM that answers requests one at a time: length-prefixed frames on its
 * standard input and output. Each request has a wall-clock limit and a CPU-time limit; a child
 * that overruns either, dies or runs out of heap is killed, the caller gets a {@link Failed} that
 * says which, and the next request starts a fresh child. Reusing the child keeps the cost of
 * isolation (a JVM start, a cold JIT) off every request but the first.
 */
public final class WorkerProcess {
    /** How long a child may take to start and warm up before its first request. */
    private static final long STARTUP_SECONDS = 120;
    /** The exit code of a JVM started with {@code -XX:+ExitOnOutOfMemoryError}. */
    private static final int OUT_OF_MEMORY = 3;

    /** Why a request got no answer. */
    public enum Reason { WALL_CLOCK, CPU_TIME, OUT_OF_MEMORY, DIED }

    /** A request the child did not answer; the child is gone. */
    public static final class Failed extends RuntimeException {
        private final Reason reason;

        Failed(Reason reason, String message) {
            super(message);
            this.reason = reason;
        }

        public Reason reason() {
            return reason;
        }
    }

    /** Starts a child; called again after a child is killed. */
    @FunctionalInterface
    public interface Launcher {
        ProcessBuilder builder() throws IOException;
    }

    private final String name;
    private final Launcher launcher;
    private final String heap;
    private Process child;
    private DataOutputStream requests;
    private DataInputStream answers;
    private final ExecutorService reader;

    public WorkerProcess(String name, String heap, Launcher launcher) {
        this.name = name;
        this.heap = heap;
        this.launcher = launcher;
        this.reader = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name + "-reader");
            t.setDaemon(true);
            return t;
        });
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, name + "-stop"));
    }

    /**
     * Sends one request and waits for its answer within the limits. However the call ends without
     * an answer (a limit, an interrupt, even {@code Thread.stop} from a test harness), the child is
     * stopped, so a late answer can never be read as the answer to the next request.
     */
    public synchronized byte[] call(byte[] request, long wallSeconds, double cpuSeconds) {
        boolean answered = false;
        try {
            byte[] answer = exchange(request, wallSeconds, cpuSeconds);
            answered = true;
            return answer;
        } finally {
            if (!answered) {
                stop();
            }
        }
    }

    private byte[] exchange(byte[] request, long wallSeconds, double cpuSeconds) {
        try {
            ensureStarted();
            requests.writeInt(request.length);
            requests.write(request);
            requests.flush();
        } catch (IOException e) {
            return died("could not send it a request (" + e.getMessage() + ")");
        }
        double cpuAtStart = ChildJvm.cpuSeconds(child);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(wallSeconds);
        DataInputStream from = answers;
        Future<byte[]> answer = reader.submit(() -> readFrame(from));
        while (true) {
            try {
                return answer.get(20, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                Reason overrun = ChildJvm.overrun(child, deadline, cpuAtStart, cpuSeconds);
                if (overrun == Reason.WALL_CLOCK) {
                    throw new Failed(Reason.WALL_CLOCK, "the " + name + " process took more than its limit of "
                            + wallSeconds + " s of wall-clock time and was stopped");
                }
                if (overrun == Reason.CPU_TIME) {
                    throw new Failed(Reason.CPU_TIME, "the " + name + " process used more than its limit of "
                            + Math.round(cpuSeconds) + " s of CPU time and was stopped");
                }
            } catch (ExecutionException e) {
                return died(e.getCause() instanceof EOFException ? "it closed its output" : String.valueOf(e.getCause()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the " + name + " process", e);
            }
        }
    }

    /** Reads from the stream of the child the request went to, never a later child's. */
    private static byte[] readFrame(DataInputStream from) throws IOException {
        byte[] frame = new byte[from.readInt()];
        from.readFully(frame);
        return frame;
    }

    private byte[] died(String how) {
        Process gone = child;
        stop();
        Integer code = null;
        try {
            if (gone != null && gone.waitFor(2, TimeUnit.SECONDS)) {
                code = gone.exitValue();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (code != null && code == OUT_OF_MEMORY) {
            throw new Failed(Reason.OUT_OF_MEMORY, "the " + name + " process ran out of its " + heap + " heap and was "
                    + "stopped");
        }
        throw new Failed(Reason.DIED, "the " + name + " process died (" + how + (code != null ? ", exit code " + code : "")
                + ")");
    }

    /**
     * Starts a child and waits for its first frame, which it sends once warmed up: the start of a
     * JVM and its cold JIT are not charged to the first request's limits.
     */
    private void ensureStarted() throws IOException {
        if (child != null && child.isAlive()) {
            return;
        }
        child = launcher.builder().start();
        requests = new DataOutputStream(new BufferedOutputStream(child.getOutputStream()));
        answers = new DataInputStream(new BufferedInputStream(child.getInputStream()));
        DataInputStream from = answers;
        Future<byte[]> ready = reader.submit(() -> readFrame(from));
        try {
            ready.get(STARTUP_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IOException("it did not start within " + STARTUP_SECONDS + " s");
        } catch (ExecutionException e) {
            throw new IOException("it exited while starting", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while it started", e);
        }
    }

    /** Kills the child, if any; the next request starts a new one. */
    public synchronized void stop() {
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

    /**
     * The child's side: warms up, says it is ready (an empty frame), then answers each request frame with {@code handler}'s frame, on the process's
     * original standard output; {@code System.out} is pointed at standard error first, so nothing
     * else can corrupt the frames.
     */
    public static void serve(Runnable warmUp, Function<byte[], byte[]> handler) throws IOException {
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out)));
        System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8));
        DataInputStream in = new DataInputStream(new BufferedInputStream(System.in));
        warmUp.run();
        out.writeInt(0); // ready
        out.flush();
        while (true) {
            byte[] request;
            try {
                request = new byte[in.readInt()];
            } catch (EOFException e) {
                return;
            }
            in.readFully(request);
            byte[] answer = handler.apply(request);
            out.writeInt(answer.length);
            out.write(answer);
            out.flush();
        }
    }
}
