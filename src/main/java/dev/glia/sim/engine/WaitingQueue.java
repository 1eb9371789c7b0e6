package dev.glia.sim.engine;

import java.util.AbstractList;

/**
 * A replica's waiting queue, ordered by (priority, key, id): a sorted array with a movable head,
 * so that taking the head and appending at the tail are O(1) and the list view costs nothing.
 */
final class WaitingQueue extends AbstractList<Request> {
    private Request[] items = new Request[16];
    private int head;
    private int tail;

    @Override
    public Request get(int i) {
        return items[head + i];
    }

    @Override
    public int size() {
        return tail - head;
    }

    Request peek() {
        return head == tail ? null : items[head];
    }

    Request poll() {
        Request r = items[head];
        items[head++] = null;
        return r;
    }

    void insert(Request r) {
        if (tail == items.length) {
            grow();
        }
        int pos = tail;
        while (pos > head && before(r, items[pos - 1])) {
            pos--;
        }
        if (pos == head && head > 0) {
            items[--head] = r;
            return;
        }
        System.arraycopy(items, pos, items, pos + 1, tail - pos);
        items[pos] = r;
        tail++;
    }

    private void grow() {
        int n = size();
        // leave room at the front for requests preempted back to the head
        int newHead = Math.max(4, n / 4);
        Request[] bigger = new Request[newHead + Math.max(16, n * 2)];
        System.arraycopy(items, head, bigger, newHead, n);
        items = bigger;
        tail = newHead + n;
        head = newHead;
    }

    private static boolean before(Request a, Request b) {
        if (a.priority != b.priority) {
            return a.priority < b.priority;
        }
        if (a.waitKey != b.waitKey) {
            return a.waitKey < b.waitKey;
        }
        return a.index < b.index;
    }
}
