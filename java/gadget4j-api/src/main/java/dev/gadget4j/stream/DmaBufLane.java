package dev.gadget4j.stream;

import dev.gadget4j.Completion;
import dev.gadget4j.DmaBuf;
import dev.gadget4j.DmaBufAllocator;
import dev.gadget4j.Endpoint;
import dev.gadget4j.Transfer;
import dev.gadget4j.internal.PrivateDmaBufs;
import dev.gadget4j.internal.RecyclingEndpoint;
import java.lang.foreign.MemorySegment;

/**
 * DMABUFs from an allocator, attached to every endpoint the stream opens, moved by TRANSFER. Each
 * slot's transfer handle is offered back to the backend for the slot's next transfer (the stream
 * has awaited it by then), so a steady stream allocates no handles.
 */
final class DmaBufLane implements Lane {
    private final DmaBuf[] bufs;
    private final Transfer[] handles;

    /** Allocates {@code depth} buffers of {@code size} bytes rounded up to whole pages. */
    DmaBufLane(DmaBufAllocator allocator, int depth, int size) {
        long page = allocator.pageSize();
        long bytes = (size + page - 1) / page * page;
        bufs = new DmaBuf[depth];
        handles = new Transfer[depth];
        try {
            for (int i = 0; i < depth; i++) {
                // attached to one endpoint at a time: the backend may keep less state per transfer
                bufs[i] = allocator instanceof PrivateDmaBufs own ? own.allocatePrivate(bytes) : allocator.allocate(bytes);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    public StreamPath path() {
        return StreamPath.DMABUF;
    }

    @Override
    public int depth() {
        return bufs.length;
    }

    @Override
    public MemorySegment buffer(int slot) {
        return bufs[slot].segment();
    }

    @Override
    public void beginCpu(int slot, boolean write) {
        bufs[slot].beginCpuAccess(write ? DmaBuf.Access.WRITE : DmaBuf.Access.READ);
    }

    @Override
    public void endCpu(int slot, boolean write) {
        bufs[slot].endCpuAccess(write ? DmaBuf.Access.WRITE : DmaBuf.Access.READ);
    }

    @Override
    public void attach(Endpoint ep) {
        for (DmaBuf b : bufs) {
            ep.attach(b);
        }
    }

    @Override
    public Completion submit(Endpoint ep, int slot, int length) {
        Transfer spent = handles[slot];
        Transfer t = ep instanceof RecyclingEndpoint r ? r.transfer(bufs[slot], length, spent)
                : ep.transfer(bufs[slot], length);
        if (t != spent) {
            // Storing the same handle again would still pass G1's write barrier and dirty a card
            // for its refinement thread to clean, once per transfer.
            handles[slot] = t;
        }
        return t;
    }

    @Override
    public boolean countsReceivedBytes() {
        return false;
    }

    @Override
    public void close() {
        for (DmaBuf b : bufs) {
            if (b != null) {
                b.close();
            }
        }
    }
}
