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
import dev.gadget4j.GadgetException;
import dev.gadget4j.GadgetSpec;
import dev.gadget4j.HostDevice;
import dev.gadget4j.Speed;
import dev.gadget4j.Transfer;
import dev.gadget4j.descriptor.Descriptors;
import dev.gadget4j.descriptor.Strings;
import dev.gadget4j.descriptor.UsbDescriptor;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * One buffer in flight on two IN endpoints at once (IN transfers of a buffer overlap): the
 * second transfer's sync_file also holds the first one's fence, so detaching the buffer from
 * the first endpoint closes it too, and the second transfer can no longer be observed. The
 * kernel still holds it, so its attachment must take no next transfer until it ended: a second
 * transfer on the same attachment would replace its fence in the reservation (the 6.12 crash
 * that the one-transfer-per-attachment rule avoids). Needs the VM's UDC with scatter-gather and
 * /dev/udmabuf.
 */
class SharedBufferVmTest {
    private static final int VENDOR = 0x1209;
    private static final int PRODUCT = 0x0005;
    private static final int SIZE = 4096;
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** ep1 IN 0x81, ep2 OUT 0x02, ep3 IN 0x83: bulk, at every speed (a companion each at SuperSpeed). */
    private static Descriptors twoInEndpoints() {
        Descriptors.Builder b = Descriptors.builder();
        for (Speed s : Speed.values()) {
            List<UsbDescriptor> set = new ArrayList<>();
            set.add(UsbDescriptor.Interface.vendor(0, 3, 1));
            for (int address : new int[] {0x81, 0x02, 0x83}) {
                set.add(UsbDescriptor.Endpoint.bulk(address, s.bulkMaxPacketSize()));
                if (s == Speed.SUPER) {
                    set.add(UsbDescriptor.SsCompanion.bulk(0));
                }
            }
            b.speed(s, set);
        }
        return b.build();
    }

    @Test
    void bufferOnTwoInEndpoints_detachedFromOne_otherAttachmentWaitsUntilItsTransferEnded() {
        assumeTrue(Files.isWritable(Path.of("/dev/udmabuf")), "no usable /dev/udmabuf on this machine");
        try (LinuxBackend backend = new LinuxBackend(SystemFiles.real());
             Arena arena = Arena.ofConfined()) {
            var gadget = backend.createGadget(GadgetSpec.builder().name("g4jshared").vendorId(VENDOR)
                    .productId(PRODUCT).product("shared buffer").function("shared").build());
            FunctionFs ffs = gadget.functionFs("shared");
            ffs.start(twoInEndpoints(), Strings.en("shared buffer"));
            gadget.bind();
            ffs.awaitEvent(Event.Enable.class, WAIT).orElseThrow(() -> new AssertionError("no ENABLE within " + WAIT));
            try (HostDevice host = backend.host().open(VENDOR, PRODUCT, WAIT);
                 DmaBuf buf = backend.dmaBufs().allocate(SIZE)) {
                host.claimInterface(0);
                // the UDC picks the host's addresses (dummy_hcd: not 0x83); the descriptors keep our order
                int ep3Address = host.configuration().endpoints().get(2).address();
                Endpoint ep1 = ffs.endpoint(1);
                Endpoint ep3 = ffs.endpoint(3);
                ep1.attach(buf);
                ep3.attach(buf);
                Transfer first = ep1.transfer(buf, SIZE);
                Transfer second = ep3.transfer(buf, SIZE);
                ep1.detach(buf);
                assertEquals(Optional.of(Errno.ECONNRESET), first.status(), first.toString());
                assertTrue(second.isDone() && !second.statusKnown(), second.toString());

                assertEquals(Errno.EBUSY, assertThrows(GadgetException.class, () -> ep3.transfer(buf, SIZE)).errno(),
                        "a next transfer while the kernel still holds the second");
                assertEquals(SIZE, host.bulk(ep3Address, arena.allocate(SIZE), WAIT), "the second transfer's data");
                Transfer third = ep3.transfer(buf, SIZE);
                assertFalse(third.waitFor(Duration.ZERO), third.toString());
                assertEquals(SIZE, host.bulk(ep3Address, arena.allocate(SIZE), WAIT), "the third transfer's data");
                third.await(WAIT);
                assertTrue(third.statusKnown(), third.toString());
            }
        }
    }
}
