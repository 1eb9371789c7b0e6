package dev.glia.sim.engine;

import java.util.Arrays;

/**
 * The telemetry of one run, in columns: where requests were routed (reqs_log), replica state at
 * each router invocation (gs_log) and every batch (batch_log). Primitive arrays, written once.
 */
public final class RunLog {
    /** Routing decisions: time, replica, request. */
    public final Columns routes = new Columns(1, 2);
    /** Router invocations × replicas: time; replica, waiting, running, allocated blocks, blocks. */
    public final Columns gs = new Columns(1, 5);
    /** Batches: start, end; replica, iterations, size, tokens, prefill tokens, preemptions. */
    public final Columns batches = new Columns(2, 6);

    /** A growable table of double and int columns. */
    public static final class Columns {
        private final double[][] d;
        private final int[][] i;
        private int rows;

        Columns(int doubles, int ints) {
            d = new double[doubles][1024];
            i = new int[ints][1024];
        }

        int add() {
            if (rows == d[0].length) {
                int n = rows * 2;
                for (int c = 0; c < d.length; c++) {
                    d[c] = Arrays.copyOf(d[c], n);
                }
                for (int c = 0; c < i.length; c++) {
                    i[c] = Arrays.copyOf(i[c], n);
                }
            }
            return rows++;
        }

        void setD(int row, int col, double v) {
            d[col][row] = v;
        }

        void setI(int row, int col, int v) {
            i[col][row] = v;
        }

        public int rows() {
            return rows;
        }

        public double d(int col, int row) {
            return d[col][row];
        }

        public int i(int col, int row) {
            return i[col][row];
        }
    }
}
