package dev.gadget4j.internal;

import dev.gadget4j.DmaBuf;

/**
 * What a backend's DMABUF allocator offers the library's own streams: buffers the stream keeps to
 * itself. It never hands them out and attaches them to one endpoint at a time (it closes the old
 * endpoint before it attaches them to the next), so the backend may keep their bookkeeping for a
 * single attachment: one transfer in flight at a time, no other attachment whose fences an export
 * could hold. The backend enforces the single attachment (a second ATTACH fails with EBUSY); the
 * public {@link dev.gadget4j.DmaBufAllocator#allocate} makes buffers without that limit.
 */
public interface PrivateDmaBufs {

    /** {@link dev.gadget4j.DmaBufAllocator#allocate}, for a buffer attached to one endpoint at a time. */
    DmaBuf allocatePrivate(long size);
}
