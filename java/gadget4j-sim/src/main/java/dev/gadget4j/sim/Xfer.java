package dev.gadget4j.sim;

import dev.gadget4j.Errno;
import java.lang.foreign.MemorySegment;

/**
 * A queued transfer on one side of an endpoint: a gadget-side USB request (classic or DMABUF) or a
 * host-side URB. Guarded by the bus lock.
 */
class Xfer {
    final MemorySegment segment;
    final long length;
    /** Host OUT URBs with URB_ZERO_PACKET: a zero-length packet follows a full last packet. */
    final boolean zeroPacket;
    long done;
    boolean complete;
    /** Null for success. */
    Errno status;

    Xfer(MemorySegment segment, long length, boolean zeroPacket) {
        this.segment = segment;
        this.length = length;
        this.zeroPacket = zeroPacket;
    }

    long remaining() {
        return length - done;
    }

    /** Called once, with the bus lock held, when the transfer completes. */
    void complete(Errno error) {
        if (!complete) {
            complete = true;
            status = error;
            onComplete();
        }
    }

    /** Hook for DMABUF fences; runs with the bus lock held. */
    void onComplete() {
    }
}
