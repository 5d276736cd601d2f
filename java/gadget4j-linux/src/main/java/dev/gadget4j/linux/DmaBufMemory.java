package dev.gadget4j.linux;

import dev.gadget4j.DmaBuf;
import dev.gadget4j.linux.sys.Fd;

/**
 * One kind of DMABUF exporter: how a buffer is made, where (for messages), how big it may be, and
 * which {@code DMA_BUF_IOCTL_SYNC} direction flags its CPU-access brackets need.
 */
interface DmaBufMemory {

    /** The ioctl that creates a buffer, for messages ({@code UDMABUF_CREATE}). */
    String operation();

    /** The device it comes from, for messages. */
    String device();

    /** A new DMABUF fd of {@code size} bytes; the size has been checked against {@link #maxSize()}. */
    Fd create(long size);

    /** The largest buffer. */
    long maxSize();

    /** The {@code DMA_BUF_SYNC_*} direction flags for a bracket the user opened with {@code access}. */
    int syncFlags(DmaBuf.Access access);
}
