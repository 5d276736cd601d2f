package dev.gadget4j.linux;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * The transfers of one buffer whose sync_file is open, on any endpoint: an array that grows and
 * never shrinks, removal by swapping the last element in, so adding and removing allocate nothing
 * once the array has reached the largest number in flight. Each transfer keeps its index in the
 * list. Thread-safe: changes and walks hold a {@link LockWord} for a few stores (every transfer
 * joins and leaves the list); {@link #anyOtherThan} on an empty list takes none (a stream's
 * buffer list is empty at each TRANSFER: the buffer's previous transfer was released before it
 * was reused).
 */
final class TransferList {
    private static final VarHandle SIZE;
    private static final VarHandle ONLY;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            SIZE = lookup.findVarHandle(TransferList.class, "size", int.class);
            ONLY = lookup.findVarHandle(TransferList.class, "only", LinuxTransfer.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private LinuxTransfer[] items = new LinuxTransfer[8];
    /**
     * Written under the lock with release semantics, so the empty check can read it with
     * acquire semantics outside: a plain store and load on x86 and arm64's ordered accesses,
     * where a volatile store would add a fence to every add and remove.
     */
    private int size;
    private final LockWord lock = new LockWord();
    /**
     * A single buffer's list ({@link DmaBufFences#single}) holds one transfer at most: its one
     * attachment's latest, which its endpoint adds during its export only after the one before
     * was released (removed). Adds and drops of the buffer exclude each other (its export
     * exclusion), so the one field's writers never race: an add with a remove, or two removes
     * (a transfer is released once). A dropper may read a transfer that is being removed, which
     * it finds released. No lock, no compare-and-set: an add is a release store, a remove one more.
     */
    private final boolean single;
    private LinuxTransfer only;

    TransferList(boolean single) {
        this.single = single;
    }

    /** Adds {@code t}: the new size. */
    int add(LinuxTransfer t) {
        if (single) {
            t.listIndex(0);
            ONLY.setRelease(this, t);
            return 1;
        }
        lock.lock();
        try {
            int n = size;
            if (n == items.length) {
                items = Arrays.copyOf(items, n * 2);
            }
            items[n] = t;
            t.listIndex(n);
            SIZE.setRelease(this, n + 1);
            return n + 1;
        } finally {
            lock.unlock();
        }
    }

    void remove(LinuxTransfer t) {
        if (single) {
            if (only == t) {
                t.listIndex(-1);
                ONLY.setRelease(this, null);
            }
            return;
        }
        lock.lock();
        try {
            int i = t.listIndex();
            int n = size;
            if (i < 0 || i >= n || items[i] != t) {
                return;
            }
            LinuxTransfer last = items[n - 1];
            if (last != t) {
                items[i] = last;
                last.listIndex(i);
            }
            items[n - 1] = null;
            t.listIndex(-1);
            SIZE.setRelease(this, n - 1);
        } finally {
            lock.unlock();
        }
    }

    /** A copy, for the rare paths that settle several transfers (detach, close). */
    LinuxTransfer[] snapshot() {
        if (single) {
            LinuxTransfer t = (LinuxTransfer) ONLY.getAcquire(this);
            return t == null ? new LinuxTransfer[0] : new LinuxTransfer[] {t};
        }
        lock.lock();
        try {
            return Arrays.copyOf(items, size);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether a transfer with another attachment than {@code a} is in the list. An empty list is
     * read without the lock: an add that the caller's own synchronisation orders before this
     * call is seen, one that races with it may or may not be, as with the lock.
     */
    boolean anyOtherThan(EndpointDmaBufs.Attachment a) {
        if (single) {
            LinuxTransfer t = (LinuxTransfer) ONLY.getAcquire(this);
            return t != null && t.attachment() != a;
        }
        if ((int) SIZE.getAcquire(this) == 0) {
            return false;
        }
        lock.lock();
        try {
            for (int i = 0; i < size; i++) {
                if (items[i].attachment() != a) {
                    return true;
                }
            }
            return false;
        } finally {
            lock.unlock();
        }
    }
}
