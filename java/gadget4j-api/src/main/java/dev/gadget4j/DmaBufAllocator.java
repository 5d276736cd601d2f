package dev.gadget4j;

/** Creates DMABUFs that endpoints can attach. */
public interface DmaBufAllocator {

    /**
     * Allocates a DMABUF of {@code size} bytes (udmabuf rules on every backend: the size must be a
     * non-zero multiple of the page size and at most {@link #maxSize()}).
     *
     * @throws GadgetException EINVAL, as udmabuf answers, for a size that is zero, negative, not a
     *                         multiple of the page size or above the limit; ENOENT when the kernel
     *                         has no {@code /dev/udmabuf}
     */
    DmaBuf allocate(long size);

    /** The largest DMABUF this allocator can create (udmabuf's {@code size_limit_mb}, 64 MiB by default). */
    long maxSize();

    /** The page size that sizes must be a multiple of. */
    long pageSize();
}
