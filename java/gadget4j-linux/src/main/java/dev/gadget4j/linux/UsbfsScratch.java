package dev.gadget4j.linux;

import dev.gadget4j.linux.sys.UsbfsAbi;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The native memory of one usbfs device's synchronous calls (USBDEVFS_CONTROL, USBDEVFS_BULK):
 * {@value #SETS} sets, each a request struct and a bounce buffer for heap segments, allocated once
 * and grown on demand, so that a call allocates nothing. A call takes a free set (one CAS) and
 * gives it back when the kernel is done with it; a call that finds all of them taken (more
 * concurrent calls than sets: a bulk IN and OUT on two threads and a control request use three)
 * gets a set of its own. A call may block for as long as its timeout, so a busy set is never
 * waited for. The memory is freed by the GC, never while a call still uses it.
 */
final class UsbfsScratch {
    static final int SETS = 4;
    private static final long MIN_BOUNCE = 4096;
    private static final long STRUCT = Math.max(UsbfsAbi.CtrlTransfer.LAYOUT.byteSize(), UsbfsAbi.BulkTransfer.LAYOUT.byteSize());

    /** One call's memory. */
    static final class Set {
        private final int index;
        private final MemorySegment struct = Arena.ofAuto().allocate(STRUCT, 8);
        private MemorySegment bounce = MemorySegment.NULL;

        private Set(int index) {
            this.index = index;
        }

        /** The request struct, room for a {@code usbdevfs_ctrltransfer} or a {@code usbdevfs_bulktransfer}. */
        MemorySegment struct() {
            return struct;
        }

        /**
         * {@code data} itself when native, else the bounce buffer (at least {@code data}'s size,
         * whole: the struct carries the length), with {@code data} copied in when {@code copyIn}.
         */
        MemorySegment buffer(MemorySegment data, boolean copyIn) {
            if (data.isNative()) {
                return data;
            }
            long size = data.byteSize();
            if (bounce.byteSize() < size) {
                bounce = Arena.ofAuto().allocate(Math.max(MIN_BOUNCE, Long.highestOneBit(Math.max(1, size - 1)) << 1), 8);
            }
            if (copyIn) {
                MemorySegment.copy(data, 0, bounce, 0, size);
            }
            return bounce;
        }
    }

    private final Set[] sets = new Set[SETS];
    private final AtomicIntegerArray taken = new AtomicIntegerArray(SETS);

    UsbfsScratch() {
        for (int i = 0; i < SETS; i++) {
            sets[i] = new Set(i);
        }
    }

    /** A free set, or one of the caller's own when all are in use; give it back with {@link #give}. */
    Set take() {
        for (int i = 0; i < SETS; i++) {
            if (taken.get(i) == 0 && taken.compareAndSet(i, 0, 1)) {
                return sets[i];
            }
        }
        return new Set(-1);
    }

    void give(Set s) {
        if (s.index >= 0) {
            taken.set(s.index, 0);
        }
    }
}
