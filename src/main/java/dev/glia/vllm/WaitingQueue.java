package dev.glia.vllm;

import java.util.AbstractList;

/**
 * An engine's waiting queue, ordered by (priority, key, index): a sorted array with a movable
 * head, so that taking the head and appending at the tail are O(1) and the list view costs nothing.
 */
final class WaitingQueue<R extends EngineRequest> extends AbstractList<R> {
    private EngineRequest[] items = new EngineRequest[16];
    private int head;
    private int tail;

    @Override
    @SuppressWarnings("unchecked")
    public R get(int i) {
        return (R) items[head + i];
    }

    @Override
    public int size() {
        return tail - head;
    }

    @SuppressWarnings("unchecked")
    R peek() {
        return head == tail ? null : (R) items[head];
    }

    @SuppressWarnings("unchecked")
    R poll() {
        R r = (R) items[head];
        items[head++] = null;
        return r;
    }

    /** Takes out a request that leaves before its turn (an aborted one). */
    void drop(R r) {
        for (int i = head; i < tail; i++) {
            if (items[i] == r) {
                System.arraycopy(items, i + 1, items, i, tail - i - 1);
                items[--tail] = null;
                return;
            }
        }
    }

    void insert(R r) {
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
        EngineRequest[] bigger = new EngineRequest[newHead + Math.max(16, n * 2)];
        System.arraycopy(items, head, bigger, newHead, n);
        items = bigger;
        tail = newHead + n;
        head = newHead;
    }

    private static boolean before(EngineRequest a, EngineRequest b) {
        if (a.priority != b.priority) {
            return a.priority < b.priority;
        }
        if (a.waitKey != b.waitKey) {
            return a.waitKey < b.waitKey;
        }
        return a.index < b.index;
    }
}
