package dev.gadget4j.sim;

/**
 * A DMABUF attached to an endpoint file ({@code struct ffs_dmabuf_priv}): its own fence context,
 * and the latest request queued through it, which is the one DETACH and close cancel.
 */
final class Attachment {
    final SimDmaBuf buf;
    final long context;
    DmaXfer latest;

    Attachment(SimDmaBuf buf, long context) {
        this.buf = buf;
        this.context = context;
    }
}
