package dev.gadget4j.conformance;

import static dev.gadget4j.conformance.Harness.WAIT;
import static dev.gadget4j.conformance.ErrnoAssertions.assertErrno;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gadget4j.Errno;
import dev.gadget4j.Event;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Control requests for the function: SETUP events, data stages both ways, stalls. */
class Ep0ConformanceTest {
    /** bmRequestType: vendor, interface recipient. */
    private static final int VENDOR_IN = 0xc1;
    private static final int VENDOR_OUT = 0x41;
    private final Fixture fixture = Fixture.current();

    @Test
    void setup_in_dataStageReachesHost() throws Exception {
        try (Harness h = Harness.enabled(fixture); Arena arena = Arena.ofShared()) {
            MemorySegment got = arena.allocate(64);
            Background<Integer> host = Background.start(() -> h.host.control(VENDOR_IN, 0x5a, 0x1234, 0, got, WAIT));
            Event.Setup s = h.awaitEvent(Event.Setup.class);
            assertEquals(VENDOR_IN, s.packet().requestType());
            assertEquals(0x5a, s.packet().request());
            assertEquals(0x1234, s.packet().value());
            assertEquals(0, s.packet().index(), "wIndex names the function's own interface");
            assertEquals(64, s.packet().length());
            MemorySegment reply = arena.allocate(10);
            Patterns.fill(reply, 10, 9);
            h.ffs.reply(s, reply);
            assertEquals(10, host.get(WAIT));
            assertEquals(-1, Patterns.mismatch(got, 10, 9));
        }
    }

    @Test
    void setup_out_dataStageReachesFunction() throws Exception {
        try (Harness h = Harness.enabled(fixture); Arena arena = Arena.ofShared()) {
            MemorySegment data = arena.allocate(20);
            Patterns.fill(data, 20, 10);
            Background<Integer> host = Background.start(() -> h.host.control(VENDOR_OUT, 0x01, 0, 0, data, WAIT));
            Event.Setup s = h.awaitEvent(Event.Setup.class);
            assertEquals(20, s.packet().length());
            MemorySegment got = arena.allocate(64);
            assertEquals(20, h.ffs.receive(s, got));
            assertEquals(-1, Patterns.mismatch(got, 20, 10));
            assertEquals(20, host.get(WAIT));
        }
    }

    @Test
    void setup_noData_acknowledged() throws Exception {
        try (Harness h = Harness.enabled(fixture)) {
            Background<Integer> host = Background.start(
                    () -> h.host.control(VENDOR_OUT, 0x02, 7, 0, MemorySegment.ofArray(new byte[0]), WAIT));
            Event.Setup s = h.awaitEvent(Event.Setup.class);
            assertEquals(0, s.packet().length());
            h.ffs.acknowledge(s);
            assertEquals(0, host.get(WAIT));
        }
    }

    @Test
    void setup_stalled_hostSeesEPIPE() throws Exception {
        try (Harness h = Harness.enabled(fixture); Arena arena = Arena.ofShared()) {
            MemorySegment got = arena.allocate(8);
            Background<Integer> host = Background.start(() -> h.host.control(VENDOR_IN, 0x7f, 0, 0, got, WAIT));
            Event.Setup s = h.awaitEvent(Event.Setup.class);
            h.ffs.stall(s);
            assertErrno(Errno.EPIPE, () -> host.get(WAIT));
        }
    }

    @Test
    void setup_unanswered_hostTimesOut_ETIMEDOUT() throws Exception {
        try (Harness h = Harness.enabled(fixture); Arena arena = Arena.ofShared()) {
            MemorySegment got = arena.allocate(8);
            Background<Integer> host = Background.start(
                    () -> h.host.control(VENDOR_IN, 0x10, 0, 0, got, Duration.ofMillis(500)));
            h.awaitEvent(Event.Setup.class);
            assertErrno(Errno.ETIMEDOUT, () -> host.get(WAIT));
        }
    }

    @Test
    void nextEvent_whileSetupUnanswered_isRefused() throws Exception {
        try (Harness h = Harness.enabled(fixture); Arena arena = Arena.ofShared()) {
            MemorySegment got = arena.allocate(8);
            Background<Integer> host = Background.start(() -> h.host.control(VENDOR_IN, 0x11, 0, 0, got, WAIT));
            Event.Setup s = h.awaitEvent(Event.Setup.class);
            assertThrows(IllegalStateException.class, () -> h.ffs.nextEvent(Duration.ZERO));
            h.ffs.reply(s, MemorySegment.ofArray(new byte[] {1}));
            assertEquals(1, host.get(WAIT));
            assertEquals(1, got.get(ValueLayout.JAVA_BYTE, 0));
        }
    }

    @Test
    void nextEvent_waiting_closingTheFunction_EBADF() throws Exception {
        try (Harness h = Harness.enabled(fixture)) {
            Background<Optional<Event>> next = waitingNextEvent(h, "nextEvent must wait for an event");
            h.ffs.close();
            assertErrno(Errno.EBADF, () -> next.get(WAIT));
            h.ffs.wakeup(); // after close: does nothing, never throws
        }
    }

    @Test
    void nextEvent_waiting_wakeup_returnsEmpty_eventsStillCome() throws Exception {
        try (Harness h = Harness.enabled(fixture)) {
            Background<Optional<Event>> next = waitingNextEvent(h, "nextEvent must wait for an event");
            h.ffs.wakeup();
            assertEquals(Optional.empty(), next.get(WAIT));
            Background<Integer> host = Background.start(
                    () -> h.host.control(VENDOR_OUT, 0x03, 0, 0, MemorySegment.ofArray(new byte[0]), WAIT));
            h.ffs.acknowledge(h.awaitEvent(Event.Setup.class));
            assertEquals(0, host.get(WAIT));
        }
    }

    @Test
    void wakeup_beforeTheCall_endsTheNextWaitOnly() throws Exception {
        try (Harness h = Harness.enabled(fixture)) {
            h.ffs.wakeup();
            h.ffs.wakeup(); // wake-ups do not add up
            assertEquals(Optional.empty(), nextEventForAnHour(h).get(WAIT));
            Background<Optional<Event>> next = waitingNextEvent(h, "the wake-up was used: the next call waits");
            h.ffs.wakeup();
            assertEquals(Optional.empty(), next.get(WAIT));
        }
    }

    /** {@code nextEvent} with a timeout far beyond WAIT, on its own thread: only what the case does ends it in time. */
    private static Background<Optional<Event>> nextEventForAnHour(Harness h) {
        return Background.start(() -> h.ffs.nextEvent(Duration.ofHours(1)));
    }

    /** {@link #nextEventForAnHour}, checked to be still waiting after 300 ms ({@code what} if not). */
    private static Background<Optional<Event>> waitingNextEvent(Harness h, String what) throws Exception {
        Background<Optional<Event>> next = nextEventForAnHour(h);
        assertTrue(next.stillBlockedAfter(Duration.ofMillis(300)), what);
        return next;
    }

    @Test
    void standardRequests_answeredByTheStack() {
        try (Harness h = Harness.enabled(fixture); Arena arena = Arena.ofConfined()) {
            MemorySegment d = arena.allocate(18);
            assertEquals(18, h.host.control(0x80, 6, 0x0100, 0, d, WAIT));
            assertEquals(1, d.get(ValueLayout.JAVA_BYTE, 1), "bDescriptorType DEVICE");
            MemorySegment c = arena.allocate(9);
            assertEquals(9, h.host.control(0x80, 6, 0x0200, 0, c, WAIT));
            byte[] full = h.host.configurationDescriptor();
            assertEquals(full.length, (c.get(ValueLayout.JAVA_BYTE, 2) & 0xff) | (c.get(ValueLayout.JAVA_BYTE, 3) & 0xff) << 8);
        }
    }
}
