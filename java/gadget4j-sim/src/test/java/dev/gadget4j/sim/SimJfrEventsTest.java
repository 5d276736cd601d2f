package dev.gadget4j.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gadget4j.DmaBuf;
import dev.gadget4j.Endpoint;
import dev.gadget4j.Event;
import dev.gadget4j.FunctionFs;
import dev.gadget4j.Gadget;
import dev.gadget4j.GadgetSpec;
import dev.gadget4j.HostDevice;
import dev.gadget4j.descriptor.Descriptors;
import dev.gadget4j.descriptor.Strings;
import dev.gadget4j.jfr.GadgetEvents;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JFR events of the simulator: recorded when a recording enables them, and only then. */
class SimJfrEventsTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    /** Host and gadget sides of a bound source/sink: moves one transfer per path each way, answers one SETUP. */
    private static void traffic() throws InterruptedException {
        try (SimBackend b = SimBackend.open();
             Gadget g = b.createGadget(GadgetSpec.builder().vendorId(0x0525).productId(0xa4a4).function("f").build());
             Arena arena = Arena.ofShared()) { // the reader thread uses it too
            FunctionFs ffs = g.functionFs("f");
            ffs.start(Descriptors.sourceSink(), Strings.en("jfr"));
            g.bind();
            assertTrue(ffs.nextEvent(WAIT).orElseThrow() instanceof Event.Enable);
            HostDevice host = b.host().open(0x0525, 0xa4a4, WAIT);
            MemorySegment data = arena.allocate(4096);
            try (Endpoint in = ffs.endpoint(1); Endpoint out = ffs.endpoint(2); DmaBuf buf = b.dmaBufs().allocate(4096)) {
                var w = in.submitWrite(data); // aio, IN
                assertEquals(4096, host.bulk(0x81, data, WAIT));
                w.await(WAIT);
                MemorySegment sink = arena.allocate(4096);
                CompletableFuture<Integer> read = new CompletableFuture<>();
                Thread.ofPlatform().start(() -> read.complete(out.read(sink))); // classic, OUT
                assertEquals(512, host.bulk(0x02, data.asSlice(0, 512), WAIT));
                assertEquals(512, read.join());
                in.attach(buf);
                var t = in.transfer(buf, 1024); // dmabuf, IN
                assertEquals(1024, host.bulk(0x81, data.asSlice(0, 1024), WAIT));
                t.await(WAIT);
            }
            Thread control = Thread.ofPlatform().start(() -> ffs.stall((Event.Setup) ffs.nextEvent(WAIT).orElseThrow()));
            try {
                host.control(0xc1, 0x5c, 0x1234, 0, arena.allocate(8), WAIT); // vendor, interface 0, IN
            } catch (dev.gadget4j.GadgetException expectedStall) {
                // the function stalled it
            }
            control.join();
        }
    }

    private List<RecordedEvent> record(boolean enableEvents) throws Exception {
        Path file = dir.resolve("events.jfr");
        try (Recording r = new Recording()) {
            if (enableEvents) {
                r.enable("dev.gadget4j.Transfer");
                r.enable("dev.gadget4j.Ep0");
            }
            r.start();
            assertTrue(GadgetEvents.isEnabled());
            traffic();
            r.stop();
            r.dump(file);
        }
        assertFalse(GadgetEvents.isEnabled(), "the flag drops when the last recording stops");
        return RecordingFile.readAllEvents(file).stream() // threads' buffers are not in time order
                .filter(e -> e.getEventType().getName().startsWith("dev.gadget4j."))
                .sorted(java.util.Comparator.comparing(RecordedEvent::getStartTime)).toList();
    }

    @Test
    void recordingThatLeavesTheTransferEventOff_startReadsNoClock_untilTheEventIsEnabled() {
        try (Recording r = new Recording()) {
            r.enable("jdk.ThreadSleep");
            r.start();
            assertTrue(GadgetEvents.isEnabled());
            assertEquals(0, GadgetEvents.start(), "a recording without the transfer event measures no latency");
            r.enable("dev.gadget4j.Transfer"); // on the running recording
            assertNotEquals(0, GadgetEvents.start());
            r.stop();
        }
        assertEquals(0, GadgetEvents.start());
    }

    @Test
    void noRecording_flagOff() throws InterruptedException {
        assertFalse(GadgetEvents.isEnabled());
        assertEquals(0, GadgetEvents.start());
        traffic(); // and emitting costs nothing observable: no recording, no failure
    }

    @Test
    void recording_withEventsEnabled_recordsEveryPathAndEp0() throws Exception {
        List<RecordedEvent> events = record(true);
        List<RecordedEvent> transfers = events.stream()
                .filter(e -> e.getEventType().getName().equals("dev.gadget4j.Transfer")).toList();
        assertEquals(List.of("aio IN 4096 OK", "classic OUT 512 OK", "dmabuf IN 1024 OK"), transfers.stream()
                .map(e -> e.getString("path") + " " + e.getString("direction") + " " + e.getLong("bytes") + " "
                        + e.getString("status"))
                .toList());
        for (RecordedEvent t : transfers) {
            assertTrue(t.getString("endpoint").endsWith(t.getString("direction").equals("IN") ? "/ep1" : "/ep2"),
                    t.getString("endpoint"));
            assertTrue(t.getDuration("latency").toNanos() > 0);
        }
        List<String> ep0 = events.stream().filter(e -> e.getEventType().getName().equals("dev.gadget4j.Ep0"))
                .map(e -> e.getString("type") + " " + e.getInt("requestType") + " " + e.getInt("request") + " "
                        + e.getInt("value") + " " + e.getInt("length"))
                .toList();
        assertEquals(List.of("ENABLE -1 -1 -1 -1", "SETUP 193 92 4660 8"), ep0);
    }

    @Test
    void recording_withEventsLeftDisabled_recordsNone() throws Exception {
        assertEquals(List.of(), record(false));
    }
}
