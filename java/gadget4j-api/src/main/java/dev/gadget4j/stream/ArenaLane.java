package dev.gadget4j.stream;

import dev.gadget4j.Endpoint;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Buffers of the stream's own (page-aligned, from one arena), which classic I/O copies: no CPU
 * access bracket, nothing to attach.
 */
abstract sealed class ArenaLane implements Lane permits AioLane, BlockingLane {
    private static final long ALIGN = 4096;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment[] bufs;

    ArenaLane(int depth, int size) {
        bufs = new MemorySegment[depth];
        for (int i = 0; i < depth; i++) {
            bufs[i] = arena.allocate(size, ALIGN);
        }
    }

    @Override
    public final int depth() {
        return bufs.length;
    }

    @Override
    public final MemorySegment buffer(int slot) {
        return bufs[slot];
    }

    /** The first {@code length} bytes of slot {@code slot}, as one request moves them. */
    final MemorySegment request(int slot, int length) {
        return length == bufs[slot].byteSize() ? bufs[slot] : bufs[slot].asSlice(0, length);
    }

    @Override
    public final void beginCpu(int slot, boolean write) {
    }

    @Override
    public final void endCpu(int slot, boolean write) {
    }

    @Override
    public final void attach(Endpoint ep) {
    }

    @Override
    public final boolean countsReceivedBytes() {
        return true;
    }

    @Override
    public final void close() {
        arena.close();
    }
}
