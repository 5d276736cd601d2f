package dev.gadget4j;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A DMABUF: memory a USB controller reads or writes directly, shared with this process through a
 * mapping. On Linux it is a udmabuf over a sealed memfd; in the simulator a memory segment with
 * the same rules.
 *
 * <p>CPU access must be bracketed ({@code DMA_BUF_IOCTL_SYNC} start/end) so that caches are
 * synchronised on SoCs without coherent DMA; {@link #write(Consumer)} and {@link #read(Consumer)}
 * do the bracketing. Closing unmaps the segment (any later access throws
 * {@link IllegalStateException}, never a crash) and drops this process's reference; endpoints
 * that still have it attached keep the buffer alive until they detach it.
 *
 * <p>A buffer whose segment another thread is passing to a native call right now (a classic
 * {@code read()} into it, say) cannot be unmapped: {@link #close()} then fails with EBUSY and the
 * buffer stays open and whole; close it again once that call has returned.
 */
public interface DmaBuf extends AutoCloseable {

    /** CPU access directions for {@link #beginCpuAccess} / {@link #endCpuAccess}. */
    enum Access {
        /** The CPU reads what the device wrote. */
        READ,
        /** The CPU writes what the device will read. */
        WRITE,
        /** Both. */
        READ_WRITE
    }

    /** What {@link #poll} waits for, as {@code poll()} on a DMABUF fd reports it. */
    enum Readiness {
        /** EPOLLIN: no pending writers (every OUT transfer into this buffer has completed). */
        READABLE,
        /** EPOLLOUT: nothing pending at all (no IN or OUT transfer of this buffer in flight). */
        WRITABLE
    }

    /** Size in bytes. */
    long size();

    /** The DMABUF file descriptor (a simulated number in the simulator), as error messages name it. */
    int fd();

    /**
     * The CPU mapping of the whole buffer. Valid until {@link #close()}; access it only between
     * {@link #beginCpuAccess} and {@link #endCpuAccess}.
     */
    MemorySegment segment();

    /**
     * {@code DMA_BUF_IOCTL_SYNC} with {@code DMA_BUF_SYNC_START}: the CPU may now access the buffer.
     *
     * @throws GadgetException EINVAL if CPU access is already begun
     */
    void beginCpuAccess(Access access);

    /**
     * {@code DMA_BUF_IOCTL_SYNC} with {@code DMA_BUF_SYNC_END}.
     *
     * @throws GadgetException EINVAL if no CPU access was begun, or with another access direction
     */
    void endCpuAccess(Access access);

    /** Runs {@code writer} on {@link #segment()} inside a WRITE bracket. */
    default void write(Consumer<MemorySegment> writer) {
        write(writer, Consumer::accept);
    }

    /** Runs {@code reader} on {@link #segment()} inside a READ bracket. */
    default void read(Consumer<MemorySegment> reader) {
        read(reader, Consumer::accept);
    }

    /**
     * Runs {@code writer} on {@code context} and {@link #segment()} inside a WRITE bracket. With a
     * method reference such as {@code buf.write(generator, Generator::fill)} the call allocates
     * nothing: no capturing lambda, and the Linux backend's SYNC uses a struct owned by the buffer.
     */
    default <T> void write(T context, BiConsumer<? super T, MemorySegment> writer) {
        beginCpuAccess(Access.WRITE);
        try {
            writer.accept(context, segment());
        } finally {
            endCpuAccess(Access.WRITE);
        }
    }

    /** Runs {@code reader} on {@code context} and {@link #segment()} inside a READ bracket; see {@link #write(Object, BiConsumer)}. */
    default <T> void read(T context, BiConsumer<? super T, MemorySegment> reader) {
        beginCpuAccess(Access.READ);
        try {
            reader.accept(context, segment());
        } finally {
            endCpuAccess(Access.READ);
        }
    }

    /**
     * Polls the buffer like {@code poll()} on its fd.
     *
     * @param timeout how long to wait; {@link Duration#ZERO} tests without waiting
     * @return whether the buffer reached {@code readiness} within the timeout
     */
    boolean poll(Readiness readiness, Duration timeout);

    /** Whether {@link #close()} has been called. */
    boolean isClosed();

    /**
     * Unmaps the segment and closes the DMABUF fd; harmless when already closed.
     *
     * @throws GadgetException EBUSY while another thread's native call is using the segment: the
     *                         buffer then stays open and usable
     */
    @Override
    void close();
}
