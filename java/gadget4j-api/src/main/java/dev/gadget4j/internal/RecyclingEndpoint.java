package dev.gadget4j.internal;

import dev.gadget4j.DmaBuf;
import dev.gadget4j.IoRequest;
import dev.gadget4j.Transfer;
import java.lang.foreign.MemorySegment;

/**
 * What a backend's endpoint offers the library's own streams: queueing a request with a handle the
 * caller is finished with, which the backend refills instead of allocating a new one. A stream
 * owns its queue and never hands its handles out, so once it has awaited a slot's handle it can
 * give it back for the slot's next request, and its steady state allocates nothing. The public
 * calls ({@link dev.gadget4j.Endpoint#transfer}, {@code submitRead}, {@code submitWrite}) are these
 * with no handle to refill: their caller may keep what they return.
 *
 * <p>{@code spent} is a handle this endpoint returned earlier, done, and referred to by nobody
 * but the caller from here on; anything else (null, another endpoint's handle, one still pending)
 * is left alone and a new handle is returned. The backend decides; the caller only offers.
 */
public interface RecyclingEndpoint {

    /** {@link dev.gadget4j.Endpoint#transfer}, refilling {@code spent} when it can. */
    Transfer transfer(DmaBuf buf, long length, Transfer spent);

    /**
     * An asynchronous write of the first {@code length} bytes of {@code buffer} on an IN endpoint,
     * a read into them on an OUT one ({@code submitWrite} / {@code submitRead} of that slice, without
     * making the slice), refilling {@code spent} when it can.
     */
    IoRequest submit(MemorySegment buffer, long length, IoRequest spent);
}
