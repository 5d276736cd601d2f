package dev.gadget4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gadget4j.DmaBuf;
import dev.gadget4j.Endpoint;
import dev.gadget4j.Event;
import dev.gadget4j.FunctionFs;
import dev.gadget4j.Gadget;
import dev.gadget4j.GadgetException;
import dev.gadget4j.GadgetSpec;
import dev.gadget4j.HostDevice;
import dev.gadget4j.descriptor.Descriptors;
import dev.gadget4j.descriptor.Strings;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;

/**
 * The Linux backend's JFR events, recorded in-process on the real kernel: one
 * {@code dev.gadget4j.Transfer} per completed transfer on each path (classic read/write, AIO,
 * DMABUF) and direction, with its endpoint file, path, direction, bytes, status and latency; one
 * {@code dev.gadget4j.Ep0} per ep0 event read, SETUP fields included.
 */
class LinuxJfrEventsVmTest {
    private static final int VENDOR = 0x1209;
    private static final int PRODUCT = 0x0004;
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void recording_withTheEventsEnabled_recordsEveryPathBothWaysAndEp0() throws Exception {
        assumeTrue(Files.isWritable(Path.of("/dev/udmabuf")), "no usable /dev/udmabuf on this machine");
        Path file = Files.createTempFile("gadget4j-events", ".jfr");
        try (Recording r = new Recording()) {
            r.enable("dev.gadget4j.Transfer");
            r.enable("dev.gadget4j.Ep0");
            r.start();
            traffic();
            r.stop();
            r.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream() // threads' buffers are not in time order
                .filter(e -> e.getEventType().getName().startsWith("dev.gadget4j."))
                .sorted(Comparator.comparing(RecordedEvent::getEndTime)).toList();
        Files.delete(file);
        List<RecordedEvent> transfers = events.stream()
                .filter(e -> e.getEventType().getName().equals("dev.gadget4j.Transfer")).toList();
        assertEquals(List.of("aio IN 4096 OK", "aio OUT 1000 OK", "classic IN 4096 OK", "classic OUT 500 OK",
                        "dmabuf IN 2048 OK", "dmabuf OUT 8192 OK"),
                transfers.stream().map(e -> e.getString("path") + " " + e.getString("direction") + " "
                        + e.getLong("bytes") + " " + e.getString("status")).sorted().toList());
        for (RecordedEvent t : transfers) {
            String ep = t.getString("direction").equals("IN") ? "/ep1" : "/ep2";
            assertTrue(t.getString("endpoint").startsWith("/") && t.getString("endpoint").endsWith(ep),
                    t.getString("endpoint"));
            assertTrue(t.getDuration("latency").toNanos() > 0, t.toString());
        }
        List<String> ep0 = events.stream().filter(e -> e.getEventType().getName().equals("dev.gadget4j.Ep0"))
                .map(e -> e.getString("type") + " " + e.getInt("requestType") + " " + e.getInt("request") + " "
                        + e.getInt("value") + " " + e.getInt("index") + " " + e.getInt("length"))
                .toList();
        assertTrue(ep0.contains("ENABLE -1 -1 -1 -1 -1"), ep0.toString());
        assertTrue(ep0.contains("SETUP 193 92 4660 0 8"), ep0.toString());
        for (RecordedEvent e : events) {
            if (e.getEventType().getName().equals("dev.gadget4j.Ep0")) {
                assertTrue(e.getString("ep0").endsWith("/ep0"), e.getString("ep0"));
            }
        }
    }

    /** A bound source/sink: one transfer per path each way, one vendor SETUP answered with a stall. */
    private static void traffic() throws Exception {
        try (LinuxBackend backend = new LinuxBackend(SystemFiles.real());
             Gadget gadget = backend.createGadget(GadgetSpec.builder().name("g4jjfr").vendorId(VENDOR)
                     .productId(PRODUCT).product("gadget4j events").function("jfr").build());
             Arena arena = Arena.ofShared()) { // the host threads use it too
            FunctionFs ffs = gadget.functionFs("jfr");
            ffs.start(Descriptors.sourceSink(), Strings.en("gadget4j events"));
            gadget.bind();
            ffs.awaitEvent(Event.Enable.class, WAIT).orElseThrow(() -> new AssertionError("no ENABLE within " + WAIT));
            try (HostDevice host = backend.host().open(VENDOR, PRODUCT, WAIT);
                 Endpoint in = ffs.endpoint(1);
                 Endpoint out = ffs.endpoint(2);
                 DmaBuf inBuf = backend.dmaBufs().allocate(8192);
                 DmaBuf outBuf = backend.dmaBufs().allocate(8192)) {
                host.claimInterface(0);
                int hostIn = DmaBufSteadyStateVmTest.hostEndpoint(host, true);
                int hostOut = DmaBufSteadyStateVmTest.hostEndpoint(host, false);
                MemorySegment data = arena.allocate(8192);
                MemorySegment sink = arena.allocate(8192);

                // classic: the gadget's call blocks until the host moves the data. OUT lengths are
                // not multiples of any bulk packet size: the short packet ends the gadget's read.
                // (the gadget's calls run on threads of their own: a failure cannot hang the test,
                // closing the endpoints wakes them)
                CompletableFuture<Integer> hostRead = hostBulk(host, hostIn, sink.asSlice(0, 4096));
                assertEquals(4096, inThread(() -> in.write(data.asSlice(0, 4096))).get(WAIT.toSeconds(), TimeUnit.SECONDS));
                assertEquals(4096, hostRead.get());
                CompletableFuture<Integer> hostWrite = hostBulk(host, hostOut, data.asSlice(0, 500));
                assertEquals(500, inThread(() -> out.read(sink.asSlice(0, 4096))).get(WAIT.toSeconds(), TimeUnit.SECONDS));
                assertEquals(500, hostWrite.get());

                // AIO
                var w = in.submitWrite(data.asSlice(0, 4096));
                assertEquals(4096, host.bulk(hostIn, sink.asSlice(0, 4096), WAIT));
                assertEquals(4096, w.await(WAIT));
                var rd = out.submitRead(sink.asSlice(0, 4096));
                assertEquals(1000, host.bulk(hostOut, data.asSlice(0, 1000), WAIT));
                assertEquals(1000, rd.await(WAIT));

                // DMABUF
                in.attach(inBuf);
                out.attach(outBuf);
                var t = in.transfer(inBuf, 2048);
                assertEquals(2048, host.bulk(hostIn, sink.asSlice(0, 2048), WAIT));
                t.await(WAIT);
                var u = out.transfer(outBuf, 8192);
                assertEquals(8192, host.bulk(hostOut, data, WAIT));
                u.await(WAIT);
                in.detach(inBuf);
                out.detach(outBuf);

                // ep0: a vendor IN request to interface 0, stalled by the function
                Thread control = Thread.ofPlatform().start(
                        () -> ffs.stall((Event.Setup) ffs.nextEvent(WAIT).orElseThrow()));
                try {
                    host.control(0xc1, 0x5c, 0x1234, 0, arena.allocate(8), WAIT);
                } catch (GadgetException expectedStall) {
                    // the function stalled it
                }
                control.join();
            }
        }
    }

    private static CompletableFuture<Integer> hostBulk(HostDevice host, int endpoint, MemorySegment buf) {
        return inThread(() -> host.bulk(endpoint, buf, WAIT));
    }

    private static CompletableFuture<Integer> inThread(java.util.function.IntSupplier call) {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try {
                done.complete(call.getAsInt());
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }
}
