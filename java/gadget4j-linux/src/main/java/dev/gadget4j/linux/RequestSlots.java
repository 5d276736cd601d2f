package dev.gadget4j.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The fixed slots of a request queue whose kernel structs are allocated once (AIO iocbs, usbfs
 * URBs): which request holds each slot, the free ones (a stack), and per slot a bounce buffer for
 * heap segments, grown on demand and kept with the slot. A slot goes back to the free stack only
 * when its owner says the kernel has given it back, so no kernel call can name a slot that was
 * handed to a newer request while an older one may still be referred to by it. Not thread-safe:
 * guarded by the owning queue's monitor.
 *
 * @param <R> the request type
 */
final class RequestSlots<R> {
    private static final long MIN_BOUNCE = 4096;

    private final Object[] requests;
    private final int[] free;
    private final MemorySegment[] bounce;
    private int freeCount;

    RequestSlots(int depth) {
        requests = new Object[depth];
        free = new int[depth];
        bounce = new MemorySegment[depth];
        for (int i = 0; i < depth; i++) {
            free[depth - 1 - i] = i;
        }
        freeCount = depth;
    }

    int depth() {
        return requests.length;
    }

    /** Gives {@code request} a free slot: its index, or -1 when every slot is in use. */
    int take(R request) {
        if (freeCount == 0) {
            return -1;
        }
        int slot = free[--freeCount];
        requests[slot] = request;
        return slot;
    }

    /** The request in {@code slot}, null when the slot is free or out of range. */
    @SuppressWarnings("unchecked")
    R at(long slot) {
        return slot >= 0 && slot < requests.length ? (R) requests[(int) slot] : null;
    }

    /** Frees {@code slot}: the kernel no longer refers to it. */
    void release(int slot) {
        if (requests[slot] != null) {
            requests[slot] = null;
            free[freeCount++] = slot;
        }
    }

    /** How many slots hold a request. */
    int pending() {
        return requests.length - freeCount;
    }

    /**
     * The bounce buffer of {@code slot}, at least {@code size} bytes (whole: the kernel struct
     * carries the length), grown to a power of two when short. Freed by the GC: no arena close
     * (a handshake with every thread when shared) per request.
     */
    MemorySegment bounce(int slot, long size) {
        MemorySegment b = bounce[slot];
        if (b == null || b.byteSize() < size) {
            long capacity = Math.max(MIN_BOUNCE, Long.highestOneBit(Math.max(1, size - 1)) << 1);
            b = Arena.ofAuto().allocate(capacity, 8);
            bounce[slot] = b;
        }
        return b;
    }
}
