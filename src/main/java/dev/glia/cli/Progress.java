package dev.glia.cli;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A progress line on stderr for work that runs longer than a couple of seconds: silent for quick
 * runs, rewritten in place on a terminal, one line per update otherwise.
 */
final class Progress implements AutoCloseable {
    private final PrintStream err = System.err;
    private final String what;
    private final Supplier<String> status;
    private final long start = System.nanoTime();
    private final AtomicInteger done = new AtomicInteger();
    private final Thread ticker;
    private final boolean terminal = System.console() != null;
    private volatile boolean shown;

    /** Seeds done out of {@code total}. */
    Progress(String what, int total) {
        this(what, null, total);
    }

    /** Any status, asked for at each update (e.g. requests sent and completed). */
    Progress(String what, Supplier<String> status) {
        this(what, status, 0);
    }

    private Progress(String what, Supplier<String> status, int total) {
        this.what = what;
        this.status = status != null ? status : () -> done.get() + "/" + total + " seeds done";
        this.ticker = new Thread(this::tick, "glia-progress");
        ticker.setDaemon(true);
        ticker.start();
    }

    void done(int n) {
        done.set(n);
    }

    private void tick() {
        try {
            Thread.sleep(2000);
            while (!Thread.currentThread().isInterrupted()) {
                print();
                Thread.sleep(terminal ? 500 : 5000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized void print() {
        double seconds = (System.nanoTime() - start) / 1e9;
        String line = String.format(java.util.Locale.ROOT, "%s: %s, %.1f s", what, status.get(), seconds);
        err.print(terminal ? "\r" + line : line + "\n");
        err.flush();
        shown = true;
    }

    @Override
    public void close() {
        ticker.interrupt();
        if (shown && terminal) {
            synchronized (this) {
                err.print("\r\033[K");
                err.flush();
            }
        }
    }
}
