package dev.gadget4j.linux;

import java.util.Arrays;

/**
 * The transfers whose sync_file is open, of one endpoint or one buffer: an array that grows and
 * never shrinks, removal by swapping the last element in, so adding and removing allocate nothing
 * once the array has reached the largest number in flight. Each transfer keeps its index in each
 * of its two lists ({@code byEndpoint} tells which). Thread-safe (one monitor, held briefly).
 */
final class TransferList {
    private final boolean byEndpoint;
    private LinuxTransfer[] items = new LinuxTransfer[8];
    private int size;

    TransferList(boolean byEndpoint) {
        this.byEndpoint = byEndpoint;
    }

    /** Adds {@code t}: the new size. */
    synchronized int add(LinuxTransfer t) {
        if (size == items.length) {
            items = Arrays.copyOf(items, size * 2);
        }
        items[size] = t;
        t.index(byEndpoint, size);
        return ++size;
    }

    synchronized void remove(LinuxTransfer t) {
        int i = t.index(byEndpoint);
        if (i < 0 || i >= size || items[i] != t) {
            return;
        }
        LinuxTransfer last = items[--size];
        if (last != t) {
            items[i] = last;
            last.index(byEndpoint, i);
        }
        items[size] = null;
        t.index(byEndpoint, -1);
    }

    /** A copy, for the rare paths that settle several transfers (detach, close). */
    synchronized LinuxTransfer[] snapshot() {
        return Arrays.copyOf(items, size);
    }

    /** Whether a transfer with another attachment than {@code a} is in the list. */
    synchronized boolean anyOtherThan(EndpointDmaBufs.Attachment a) {
        for (int i = 0; i < size; i++) {
            if (items[i].attachment() != a) {
                return true;
            }
        }
        return false;
    }
}
