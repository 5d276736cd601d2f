package dev.gadget4j.sim;

import dev.gadget4j.Errno;
import dev.gadget4j.descriptor.SetupPacket;
import java.lang.foreign.MemorySegment;

/** A control transfer from the simulated host, waiting for its data and status stages. Bus lock. */
final class ControlXfer {
    final SetupPacket setup;
    final MemorySegment data;
    int actual;
    boolean complete;
    Errno status;

    ControlXfer(SetupPacket setup, MemorySegment data) {
        this.setup = setup;
        this.data = data;
    }

    boolean in() {
        return (setup.requestType() & 0x80) != 0;
    }

    void complete(int actual, Errno status) {
        if (!complete) {
            this.actual = actual;
            this.status = status;
            this.complete = true;
        }
    }
}
