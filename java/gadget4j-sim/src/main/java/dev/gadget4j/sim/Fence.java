package dev.gadget4j.sim;

import dev.gadget4j.Errno;

/**
 * A DMA fence: one per DMABUF transfer, from its attachment's context, with the endpoint's
 * sequence number; READ usage for IN transfers (the device reads the buffer), WRITE for OUT.
 */
final class Fence {
    final long context;
    long seqno;
    final boolean write;
    boolean signaled;
    /** Null for success. */
    Errno error;

    Fence(long context, long seqno, boolean write) {
        this.context = context;
        this.seqno = seqno;
        this.write = write;
    }

    /** The same context's next fence, for a refilled transfer. */
    void renew(long nextSeqno) {
        seqno = nextSeqno;
        signaled = false;
        error = null;
    }
}
