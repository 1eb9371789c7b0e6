package dev.glia.sim.workload;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads request traces in the CSV format of Vidur and the Glia paper:
 * {@code arrived_at,num_prefill_tokens,num_decode_tokens} (other columns are ignored).
 */
public final class TraceReader {
    /** A parsed trace: arrival seconds (non-decreasing), prompt and output tokens. */
    public record Trace(double[] arrivals, int[] prompts, int[] outputs) {
        public int size() {
            return arrivals.length;
        }

        /** Requests per second over the trace's span. */
        public double rate() {
            double span = arrivals[arrivals.length - 1] - arrivals[0];
            return span > 0 ? (arrivals.length - 1) / span : Double.POSITIVE_INFINITY;
        }
    }

    /** A trace file as last read: its size and modification time say whether it changed since. */
    private record Stamp(Path path, long size, java.nio.file.attribute.FileTime modified) {
        static Stamp of(Path path) {
            try {
                return new Stamp(path, Files.size(path), Files.getLastModifiedTime(path));
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("cannot read trace " + path + ": " + e.getMessage(), e);
            }
        }
    }

    /** One entry per file: a changed file is read again (a long-running router or operator sees its edits). */
    private static final Map<Path, Map.Entry<Stamp, Trace>> CACHE = new ConcurrentHashMap<>();

    private TraceReader() {
    }

    public static Trace read(Path path) {
        Path file = path.toAbsolutePath().normalize();
        Stamp now = Stamp.of(file);
        return CACHE.compute(file, (k, cached) -> cached != null && cached.getKey().equals(now) ? cached
                : Map.entry(now, parse(file))).getValue();
    }

    private static Trace parse(Path path) {
        try (BufferedReader in = Files.newBufferedReader(path)) {
            String header = in.readLine();
            if (header == null) {
                throw new IllegalArgumentException(path + ": empty file; expected a header arrived_at,num_prefill_tokens,num_decode_tokens");
            }
            List<String> columns = Arrays.stream(header.split(",")).map(String::strip).toList();
            int at = columns.indexOf("arrived_at");
            int pre = columns.indexOf("num_prefill_tokens");
            int dec = columns.indexOf("num_decode_tokens");
            if (at < 0 || pre < 0 || dec < 0) {
                throw new IllegalArgumentException(path + ": header must name arrived_at, num_prefill_tokens and "
                        + "num_decode_tokens; found " + columns);
            }
            double[] arrivals = new double[1024];
            int[] prompts = new int[1024];
            int[] outputs = new int[1024];
            int n = 0;
            int lineNo = 1;
            String line;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split(",", -1);
                if (f.length < columns.size()) {
                    throw new IllegalArgumentException(path + ":" + lineNo + ": expected " + columns.size()
                            + " fields, found " + f.length);
                }
                if (n == arrivals.length) {
                    arrivals = Arrays.copyOf(arrivals, n * 2);
                    prompts = Arrays.copyOf(prompts, n * 2);
                    outputs = Arrays.copyOf(outputs, n * 2);
                }
                arrivals[n] = number(f[at], "arrived_at", path, lineNo);
                prompts[n] = tokens(f[pre], "num_prefill_tokens", path, lineNo);
                outputs[n] = tokens(f[dec], "num_decode_tokens", path, lineNo);
                if (n > 0 && arrivals[n] < arrivals[n - 1]) {
                    throw new IllegalArgumentException(path + ":" + lineNo + ": arrived_at " + arrivals[n]
                            + " is earlier than the previous row's " + arrivals[n - 1] + "; sort the trace by arrival");
                }
                n++;
            }
            if (n == 0) {
                throw new IllegalArgumentException(path + ": no requests after the header");
            }
            return new Trace(Arrays.copyOf(arrivals, n), Arrays.copyOf(prompts, n), Arrays.copyOf(outputs, n));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read trace " + path + ": " + e.getMessage(), e);
        }
    }

    private static double number(String s, String column, Path path, int line) {
        try {
            double v = Double.parseDouble(s.strip());
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(path + ":" + line + ": " + column + " '" + s + "' is not a non-negative number");
        }
    }

    private static int tokens(String s, String column, Path path, int line) {
        try {
            double v = Double.parseDouble(s.strip());
            if (v < 1 || v != Math.rint(v) || v > Integer.MAX_VALUE) {
                throw new NumberFormatException();
            }
            return (int) v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(path + ":" + line + ": " + column + " '" + s + "' is not a positive whole number of tokens");
        }
    }
}
