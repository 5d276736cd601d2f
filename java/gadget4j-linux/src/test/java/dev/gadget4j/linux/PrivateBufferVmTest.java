package dev.gadget4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gadget4j.DmaBuf;
import dev.gadget4j.Endpoint;
import dev.gadget4j.Errno;
import dev.gadget4j.Event;
import dev.gadget4j.FunctionFs;
import dev.gadget4j.Gadget;
import dev.gadget4j.GadgetException;
import dev.gadget4j.GadgetSpec;
import dev.gadget4j.HostDevice;
import dev.gadget4j.Transfer;
import dev.gadget4j.descriptor.Descriptors;
import dev.gadget4j.descriptor.Strings;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A stream's own buffers ({@link dev.gadget4j.internal.PrivateDmaBufs}) on the real kernel: one
 * attachment at a time, enforced before the ioctl; transfers through the single-transfer
 * bookkeeping complete with their status known, one after another on the same handle; a close
 * or DETACH still finds the pending transfer and settles it (ECONNRESET) before the kernel drops
 * the attachment; the buffer attaches again once its attachment is gone. Needs the VM's UDC
 * and /dev/udmabuf.
 */
class PrivateBufferVmTest {
    private static final int VENDOR = 0x1209;
    private static final int PRODUCT = 0x0006;
    private static final int SIZE = 16 * 1024;
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void privateBuffer_attachedOnce_transfersSettleAndReattachAfterClose() {
        assumeTrue(Files.isWritable(Path.of("/dev/udmabuf")), "no usable /dev/udmabuf on this machine");
        try (LinuxBackend backend = new LinuxBackend(SystemFiles.real());
             Gadget gadget = backend.createGadget(GadgetSpec.builder().name("g4jprivate").vendorId(VENDOR)
                     .productId(PRODUCT).product("gadget4j private buffers").function("private").build());
             Arena arena = Arena.ofConfined()) {
            FunctionFs ffs = gadget.functionFs("private");
            ffs.start(Descriptors.sourceSink(), Strings.en("gadget4j private buffers"));
            gadget.bind();
            ffs.awaitEvent(Event.Enable.class, WAIT).orElseThrow(() -> new AssertionError("no ENABLE within " + WAIT));
            try (HostDevice host = backend.host().open(VENDOR, PRODUCT, WAIT);
                 DmaBuf buf = backend.dmaBufs().allocatePrivate(SIZE)) {
                host.claimInterface(0);
                int hostIn = DmaBufSteadyStateVmTest.hostEndpoint(host, true);
                MemorySegment hostBuf = arena.allocate(SIZE);
                Endpoint in = ffs.endpoint(1);
                Endpoint out = ffs.endpoint(2);
                in.attach(buf);
                GadgetException twice = assertThrows(GadgetException.class, () -> out.attach(buf));
                assertEquals(Errno.EBUSY, twice.errno(), twice.getMessage());
                assertTrue(twice.getMessage().contains("attached to an endpoint already"), twice.getMessage());
                assertEquals(Errno.EBUSY, assertThrows(GadgetException.class, () -> in.attach(buf)).errno(),
                        "the same endpoint twice is a second attachment too");

                // One handle refilled transfer after transfer, as a stream does.
                Transfer t = null;
                for (int i = 0; i < 200; i++) {
                    t = ((LinuxEndpoint) in).transfer(buf, SIZE, t);
                    assertEquals(SIZE, host.bulk(hostIn, hostBuf, WAIT), "transfer " + i + "'s data");
                    t.await(WAIT);
                    assertTrue(t.statusKnown(), t.toString());
                    assertEquals(Optional.empty(), t.status(), t.toString());
                }

                // Pending at the close, which must find it through the buffer's bookkeeping.
                Transfer pending = ((LinuxEndpoint) in).transfer(buf, SIZE, t);
                assertFalse(pending.waitFor(Duration.ZERO), pending.toString());
                in.close();
                assertEquals(Optional.of(Errno.ECONNRESET), pending.status(), pending.toString());
                assertTrue(pending.statusKnown(), pending.toString());

                out.attach(buf); // the close let go of its one attachment
                Endpoint again = ffs.endpoint(1);
                assertEquals(Errno.EBUSY, assertThrows(GadgetException.class, () -> again.attach(buf)).errno());
                out.detach(buf);
                again.attach(buf);
                Transfer queued = again.transfer(buf, SIZE);
                assertFalse(queued.waitFor(Duration.ZERO), queued.toString());
                again.detach(buf);
                assertEquals(Optional.of(Errno.ECONNRESET), queued.status(), queued.toString());
                again.close();
                out.close();
            }
        }
    }
}
