package dev.gadget4j.conformance;

import static dev.gadget4j.conformance.Harness.WAIT;
import static dev.gadget4j.conformance.ErrnoAssertions.assertErrno;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gadget4j.ControlRequest;
import dev.gadget4j.Errno;
import dev.gadget4j.Event;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The library's ep0 server: control requests reach a handler typed by direction and answer
 * themselves; one the handler leaves unanswered is stalled, so the host never waits.
 */
class Ep0ServerConformanceTest {
    private static final int VENDOR_IN = 0xc1;
    private static final int VENDOR_OUT = 0x41;
    private final Fixture fixture = Fixture.current();

    @Test
    void setups_answeredByDirection_unansweredStalled() throws Exception {
        List<ControlRequest> seen = new CopyOnWriteArrayList<>();
        // Filled on ep0's thread after the data stage: the host can see its transfer end first.
        CompletableFuture<byte[]> received = new CompletableFuture<>();
        try (Harness h = Harness.serving(fixture, r -> {
            seen.add(r);
            switch (r) {
                case ControlRequest.In in when in.packet().request() == 1 -> in.reply(new byte[] {1, 2, 3});
                case ControlRequest.Out out when out.packet().request() == 2 -> received.complete(out.receive());
                default -> { } // left to the default: stalled
            }
        })) {
            MemorySegment got = MemorySegment.ofArray(new byte[16]);
            assertEquals(3, h.host.control(VENDOR_IN, 1, 0, 0, got, WAIT));
            assertArrayEquals(new byte[] {1, 2, 3}, got.asSlice(0, 3).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            assertEquals(4, h.host.control(VENDOR_OUT, 2, 0, 0, MemorySegment.ofArray(new byte[] {9, 8, 7, 6}), WAIT));
            assertArrayEquals(new byte[] {9, 8, 7, 6}, received.get(WAIT.toSeconds(), TimeUnit.SECONDS));
            assertErrno(Errno.EPIPE, () -> h.host.control(VENDOR_IN, 3, 0, 0, got, WAIT));
            assertErrno(Errno.EPIPE, () -> h.host.control(VENDOR_OUT, 4, 0, 0, MemorySegment.ofArray(new byte[0]), WAIT));
            assertEquals(4, seen.size());
            assertTrue(seen.get(0) instanceof ControlRequest.In && seen.get(1) instanceof ControlRequest.Out);
            // A stall is marked answered on ep0's thread once the kernel took it: the host's
            // EPIPE can come first.
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!seen.stream().allMatch(ControlRequest::answered) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(seen.stream().allMatch(ControlRequest::answered), seen.toString());
            // ep0's thread records a SETUP after answering it: the 4th may be recorded just after its stall.
            Event.Setup latest = h.ep0.await(Event.Setup.class, WAIT).orElseThrow();
            if (latest.packet().request() != 4) {
                latest = h.ep0.await(Event.Setup.class, WAIT).orElseThrow();
            }
            assertEquals(4, latest.packet().request(), "await returns the latest SETUP");
        }
    }

    @Test
    void close_theServerReadsNoEventAfterwards() throws Exception {
        try (Harness h = Harness.serving(fixture, r -> { })) {
            h.ep0.close();
            Background<Integer> host = Background.start(
                    () -> h.host.control(VENDOR_OUT, 5, 0, 0, MemorySegment.ofArray(new byte[0]), WAIT));
            Event.Setup s = h.ffs.awaitEvent(Event.Setup.class, WAIT).orElseThrow(); // not taken by the closed server
            assertEquals(5, s.packet().request());
            h.ffs.acknowledge(s);
            assertEquals(0, host.get(WAIT));
        }
    }

    @Test
    void awaitEvent_countsEventsThatCameBeforeTheCall() {
        try (Harness h = Harness.serving(fixture, r -> { })) {
            h.gadget.unbind();
            assertTrue(h.ep0.await(Event.Unbind.class, WAIT).isPresent());
            assertTrue(h.ep0.await(Event.Unbind.class, java.time.Duration.ofMillis(100)).isEmpty(),
                    "one UNBIND is returned once");
        }
    }
}
