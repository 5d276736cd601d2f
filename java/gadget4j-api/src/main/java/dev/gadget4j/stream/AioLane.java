package dev.gadget4j.stream;

import dev.gadget4j.Completion;
import dev.gadget4j.Endpoint;

/** Asynchronous read/write of the stream's own buffers: {@code depth} in flight, the kernel copies each. */
final class AioLane extends ArenaLane {

    AioLane(int depth, int size) {
        super(depth, size);
    }

    @Override
    public StreamPath path() {
        return StreamPath.AIO;
    }

    @Override
    public Completion submit(Endpoint ep, int slot, int length) {
        return ep.isIn() ? ep.submitWrite(request(slot, length)) : ep.submitRead(request(slot, length));
    }
}
