package dev.gadget4j.stream;

import dev.gadget4j.Completion;
import dev.gadget4j.Endpoint;
import dev.gadget4j.IoRequest;
import dev.gadget4j.internal.RecyclingEndpoint;

/**
 * Asynchronous read/write of the stream's own buffers: {@code depth} in flight, the kernel copies
 * each. Each slot's request handle is offered back to the backend for the slot's next request
 * (the stream has awaited it by then), so a steady stream allocates no handles.
 */
final class AioLane extends ArenaLane {
    private final IoRequest[] handles;

    AioLane(int depth, int size) {
        super(depth, size);
        handles = new IoRequest[depth];
    }

    @Override
    public StreamPath path() {
        return StreamPath.AIO;
    }

    @Override
    public Completion submit(Endpoint ep, int slot, int length) {
        IoRequest r;
        if (ep instanceof RecyclingEndpoint recycling) {
            r = recycling.submit(buffer(slot), length, handles[slot]);
        } else {
            r = ep.isIn() ? ep.submitWrite(request(slot, length)) : ep.submitRead(request(slot, length));
        }
        if (handles[slot] != r) { // refilled: storing it again would repeat the array's type check
            handles[slot] = r;
        }
        return r;
    }
}
