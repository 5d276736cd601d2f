package dev.gadget4j.stream;

import dev.gadget4j.Completion;
import dev.gadget4j.Endpoint;
import java.lang.foreign.MemorySegment;

/** One I/O path's buffers: what an {@link EndpointStream} fills, submits and hands back, slot by slot. */
interface Lane extends AutoCloseable {

    StreamPath path();

    /** How many buffers may be in flight at once. */
    int depth();

    /** Slot {@code slot}'s memory, valid between {@link #beginCpu} and {@link #endCpu}. */
    MemorySegment buffer(int slot);

    void beginCpu(int slot, boolean write);

    void endCpu(int slot, boolean write);

    /** Makes the buffers usable on a freshly opened endpoint (DMABUF: attaches them). */
    void attach(Endpoint ep);

    /** Queues {@code length} bytes of slot {@code slot} (IN) or a read into it (OUT). */
    Completion submit(Endpoint ep, int slot, int length);

    /** Whether {@link Completion#awaitBytes} counts the bytes an OUT request received. */
    boolean countsReceivedBytes();

    @Override
    void close();
}
