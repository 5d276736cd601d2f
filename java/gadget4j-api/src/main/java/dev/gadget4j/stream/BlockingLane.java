package dev.gadget4j.stream;

import dev.gadget4j.Completion;
import dev.gadget4j.Endpoint;

/**
 * One buffer moved by a blocking read()/write() inside {@link #submit}; the completion it returns
 * is already done, one preallocated object reused for every call.
 */
final class BlockingLane extends ArenaLane {
    private final Settled done = new Settled();

    BlockingLane(int size) {
        super(1, size);
    }

    @Override
    public StreamPath path() {
        return StreamPath.BLOCKING;
    }

    @Override
    public Completion submit(Endpoint ep, int slot, int length) {
        done.bytes = ep.isIn() ? ep.write(request(slot, length)) : ep.read(request(slot, length));
        return done;
    }
}
