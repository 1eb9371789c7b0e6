package dev.glia.sim.engine;

import java.util.Arrays;

/**
 * Pending events ordered by (time, creation sequence), so that events at equal times run in the
 * order they were scheduled. A binary heap over parallel primitive arrays: no allocation per event.
 */
final class EventQueue {
    static final int ARRIVAL = 0;
    static final int BATCH_END = 1;
    static final int AUTOSCALE = 2;
    static final int REPLICA_READY = 3;
    static final int USER_REQUEST = 4;
    static final int SCRAPE = 5;

    private double[] time = new double[64];
    private long[] seq = new long[64];
    private int[] type = new int[64];
    private int[] a = new int[64];
    private int[] b = new int[64];
    private int size;
    private long nextSeq;

    // the event last taken by poll()
    double polledTime;
    int polledType;
    int polledA;
    int polledB;

    void push(double t, int kind, int argA, int argB) {
        if (size == time.length) {
            int n = size * 2;
            time = Arrays.copyOf(time, n);
            seq = Arrays.copyOf(seq, n);
            type = Arrays.copyOf(type, n);
            a = Arrays.copyOf(a, n);
            b = Arrays.copyOf(b, n);
        }
        long s = nextSeq++;
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!less(t, s, time[parent], seq[parent])) {
                break;
            }
            move(parent, i);
            i = parent;
        }
        set(i, t, s, kind, argA, argB);
    }

    boolean poll() {
        if (size == 0) {
            return false;
        }
        polledTime = time[0];
        polledType = type[0];
        polledA = a[0];
        polledB = b[0];
        size--;
        if (size > 0) {
            double t = time[size];
            long s = seq[size];
            int kind = type[size];
            int argA = a[size];
            int argB = b[size];
            int i = 0;
            while (true) {
                int child = 2 * i + 1;
                if (child >= size) {
                    break;
                }
                if (child + 1 < size && less(time[child + 1], seq[child + 1], time[child], seq[child])) {
                    child++;
                }
                if (!less(time[child], seq[child], t, s)) {
                    break;
                }
                move(child, i);
                i = child;
            }
            set(i, t, s, kind, argA, argB);
        }
        return true;
    }

    private static boolean less(double t1, long s1, double t2, long s2) {
        return t1 < t2 || (t1 == t2 && s1 < s2);
    }

    private void move(int from, int to) {
        set(to, time[from], seq[from], type[from], a[from], b[from]);
    }

    private void set(int i, double t, long s, int kind, int argA, int argB) {
        time[i] = t;
        seq[i] = s;
        type[i] = kind;
        a[i] = argA;
        b[i] = argB;
    }
}
