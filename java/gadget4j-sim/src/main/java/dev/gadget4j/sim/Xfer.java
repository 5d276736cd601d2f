package dev.gadget4j.sim;

import dev.gadget4j.Errno;
import java.lang.foreign.MemorySegment;

/**
 * A queued transfer on one side of an endpoint: a gadget-side USB request (classic or DMABUF) or a
 * host-side URB. Guarded by the bus lock.
 */
class Xfer {
    MemorySegment segment;
    long length;
    /** Host OUT URBs with URB_ZERO_PACKET: a zero-length packet follows a full last packet. */
    boolean zeroPacket;
    long done;
    boolean complete;
    /** Null for success. */
    Errno status;

    Xfer(MemorySegment segment, long length, boolean zeroPacket) {
        reset(segment, length, zeroPacket);
    }

    /** Makes this a new, not yet queued transfer (a completed one is refilled for its owner's next). */
    final void reset(MemorySegment segment, long length, boolean zeroPacket) {
        this.segment = segment;
        this.length = length;
        this.zeroPacket = zeroPacket;
        done = 0;
        complete = false;
        status = null;
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
