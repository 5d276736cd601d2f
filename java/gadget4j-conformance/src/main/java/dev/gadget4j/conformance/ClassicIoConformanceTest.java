package dev.gadget4j.conformance;

import static dev.gadget4j.conformance.Harness.WAIT;
import static dev.gadget4j.conformance.ErrnoAssertions.assertErrno;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gadget4j.Endpoint;
import dev.gadget4j.EndpointOption;
import dev.gadget4j.Errno;
import dev.gadget4j.IoRequest;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Classic read/write and asynchronous I/O on endpoint files, and the host side of bulk transfers. */
class ClassicIoConformanceTest {
    private final Fixture fixture = Fixture.current();

    @Test
    void write_in_hostReadsIt() throws Exception {
        try (Harness h = Harness.enabled(fixture); Arena arena = Arena.ofShared()) {
            Endpoint in = h.in();
            MemorySegment data = arena.allocate(10_000);
            Patterns.fill(data, 10_000, 11);
            Background<Integer> w = Background.start(() -> in.write(data));
            MemorySegment got = arena.allocate(16_384);
            assertEquals(10_000, h.host.bulk(h.hostIn, got, WAIT));
            assertEquals(10_000, w.get(WAIT));
            assertEquals(-1, Patterns.mismatch(got, 10_000, 11));
        }
    }

    @Test
    void read_out_receivesHostData_shortPacketEndsIt() throws Exception {
        try (Harness h = Harness.enabled(fixture); Arena arena = Arena.ofShared()) {
            Endpoint out = h.out();
            MemorySegment got = arena.allocate(16_384);
            Background<Integer> r = Background.start(() -> out.read(got));
            MemorySegment data = arena.allocate(3000);
            Patterns.fill(data, 3000, 12);
            assertEquals(3000, h.host.bulk(h.hostOut, data, WAIT));
            assertEquals(3000, r.get(WAIT));
            assertEquals(-1, Patterns.mismatch(got, 3000, 12));
        }
    }

    @Test
    void zeroLengthPacket_afterFullPackets_completesNextReadWithZero() {
        try (Harness h = Harness.enabled(fixture); Arena arena = Arena.ofShared()) {
            Endpoint out = h.out();
            MemorySegment data = arena.allocate(4096);
            Patterns.fill(data, 4096, 13);
            IoRequest first = out.submitRead(arena.allocate(4096));
            IoRequest second = out.submitRead(arena.allocate(4096));
            IoRequest urb = h.host.submitBulk(h.hostOut, data, true);
            assertEquals(4096, urb.await(WAIT));
            assertEquals(4096, first.await(WAIT));
            assertEquals(0, second.await(WAIT), "the zero-length packet completes the next request");
        }
    }

    /**
     * A zero timeout looks without waiting: ETIMEDOUT while the host has sent nothing, the bytes
     * once it has, with nobody else looking at the endpoint's completions meanwhile.
     */
    @Test
    void aio_awaitWithZeroTimeout_looksAtTheRequest() throws Exception {
        try (Harness h = Harness.enabled(fixture); Arena arena = Arena.ofShared()) {
            Endpoint out = h.out();
            for (int round = 0; round < 2; round++) {
                IoRequest r = out.submitRead(arena.allocate(512));
                assertErrno(Errno.ETIMEDOUT, () -> r.await(Duration.ZERO));
                MemorySegment data = arena.allocate(512);
                Patterns.fill(data, 512, 14 + round);
                assertEquals(512, h.host.bulk(h.hostOut, data, WAIT));
                assertEquals(512, Harness.poll("round " + round + "'s read", () -> r.await(Duration.ZERO)));
            }
        }
    }

    @Test
    void write_empty_sendsZeroLengthPacket() {
        try (Harness h = Harness.enabled(fixture); Arena arena = Arena.ofShared()) {
            Endpoint in = h.in();
            IoRequest zlp = in.submitWrite(arena.allocate(0));
            assertEquals(0, h.host.bulk(h.hostIn, arena.allocate(512), WAIT));
            assertEquals(0, zlp.await(WAIT));
        }
    }

    @Test
    void read_notEnabled_nonBlocking_EAGAIN() {
        try (Harness h = Harness.started(fixture); Arena arena = Arena.ofShared()) {
            Endpoint out = h.out(EndpointOption.NON_BLOCKING);
            assertErrno(Errno.EAGAIN, () -> out.read(arena.allocate(64)));
        }
    }

    @Test
    void read_notEnabled_blocking_waitsForEnable() throws Exception {
        try (Harness h = Harness.started(fixture); Arena arena = Arena.ofShared()) {
            Endpoint out = h.out();
            MemorySegment got = arena.allocate(512);
            Background<Integer> r = Background.start(() -> out.read(got));
            assertTrue(r.stillBlockedAfter(Duration.ofMillis(300)));
            h.bindAndEnable();
            assertEquals(5, h.host.bulk(h.hostOut, arena.allocate(5), WAIT));
            assertEquals(5, r.get(WAIT));
        }
    }

    @Test
    void read_notEnabled_blocking_closingTheEndpoint_EBADF() throws Exception {
        try (Harness h = Harness.started(fixture)) {
            assertClosingReleasesRead(h.out());
        }
    }

    @Test
    void read_waitingForTheHost_closingTheEndpoint_EBADF() throws Exception {
        try (Harness h = Harness.enabled(fixture)) {
            assertClosingReleasesRead(h.out());
        }
    }

    /** A blocking read that waits (for ENABLE, or for the host's data) fails with EBADF once its file is closed. */
    private static void assertClosingReleasesRead(Endpoint out) throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment got = arena.allocate(512);
            Background<Integer> r = Background.start(() -> out.read(got));
            assertTrue(r.stillBlockedAfter(Duration.ofMillis(300)), "the read must wait");
            out.close();
            assertErrno(Errno.EBADF, () -> r.get(WAIT));
        }
    }

    @Test
    void wrongDirection_EINVAL() {
        try (Harness h = Harness.enabled(fixture); Arena arena = Arena.ofShared()) {
            Endpoint in = h.in();
            Endpoint out = h.out();
            assertErrno(Errno.EINVAL, () -> in.read(arena.allocate(8)));
            assertErrno(Errno.EINVAL, () -> out.write(arena.allocate(8)));
        }
    }

    @Test
    void aio_severalInFlight_completeInOrder() {
        try (Harness h = Harness.enabled(fixture); Arena arena = Arena.ofShared()) {
            Endpoint in = h.in();
            List<IoRequest> writes = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                MemorySegment s = arena.allocate(1000);
                Patterns.fill(s, 1000, 20 + i);
                writes.add(in.submitWrite(s));
            }
            MemorySegment got = arena.allocate(4096);
            for (int i = 0; i < 4; i++) {
                assertEquals(1000, h.host.bulk(h.hostIn, got, WAIT));
                assertEquals(-1, Patterns.mismatch(got, 1000, 20 + i), "request " + i + " out of order");
                assertEquals(1000, writes.get(i).await(WAIT));
            }
        }
    }

    @Test
    void aio_cancel_ECONNRESET() {
        try (Harness h = Harness.enabled(fixture); Arena arena = Arena.ofShared()) {
            Endpoint out = h.out();
            IoRequest r = out.submitRead(arena.allocate(512));
            assertErrno(Errno.ETIMEDOUT, () -> r.await(Duration.ofMillis(50)));
            assertTrue(r.cancel());
            assertErrno(Errno.ECONNRESET, () -> r.await(WAIT));
        }
    }

    @Test
    void hostOut_moreThanAShortRead_urbEndsWithWhatTheReadTook_nothingKept() throws Exception {
        try (Harness h = Harness.enabled(fixture); Arena arena = Arena.ofShared()) {
            Endpoint out = h.out();
            Background<Integer> read = Background.start(() -> out.read(arena.allocate(64)));
            assertEquals(64, h.host.bulk(h.hostOut, arena.allocate(1024), WAIT), "the URB ends as a 64-byte short packet");
            assertErrno(Errno.EOVERFLOW, () -> read.get(WAIT));
            // the rest of the host's buffer was never sent (no remainder kept for the next read):
            // the next read gets the host's next transfer, 100 bytes
            IoRequest next = out.submitRead(arena.allocate(1024));
            assertEquals(100, h.host.bulk(h.hostOut, arena.allocate(100), WAIT));
            assertEquals(100, next.await(WAIT));
        }
    }

    @Test
    void hostOut_moreThanARead_packetsThenShortRest_urbEndsWithWhatTheReadTook() {
        try (Harness h = Harness.enabled(fixture); Arena arena = Arena.ofShared()) {
            Endpoint out = h.out();
            int packet = h.host.info().speed().bulkMaxPacketSize();
            IoRequest r = out.submitRead(arena.allocate(packet + 1));
            assertEquals(packet + 1, h.host.bulk(h.hostOut, arena.allocate(2L * packet + 100), WAIT));
            assertErrno(Errno.EOVERFLOW, () -> r.await(WAIT));
        }
    }

    @Test
    void hostIn_shorterThanAWrite_EOVERFLOW_writeCompletesWithWhatTheHostTook() {
        try (Harness h = Harness.enabled(fixture); Arena arena = Arena.ofShared()) {
            IoRequest w = h.in().submitWrite(arena.allocate(1024));
            assertErrno(Errno.EOVERFLOW, () -> h.host.bulk(h.hostIn, arena.allocate(64), WAIT));
            assertEquals(64, w.await(WAIT), "the request ends with the 64 bytes the host took");
        }
    }

    @Test
    void halt_hostSeesEPIPE_clearHaltRestores() {
        try (Harness h = Harness.enabled(fixture); Arena arena = Arena.ofShared()) {
            Endpoint in = h.in();
            in.halt();
            assertErrno(Errno.EPIPE, () -> h.host.bulk(h.hostIn, arena.allocate(512), WAIT));
            h.host.clearHalt(h.hostIn);
            IoRequest w = in.submitWrite(arena.allocate(7));
            assertEquals(7, h.host.bulk(h.hostIn, arena.allocate(512), WAIT));
            assertEquals(7, w.await(WAIT));
        }
    }

    @Test
    void endpointIoctls_revmapAndDescriptor() {
        try (Harness h = Harness.enabled(fixture)) {
            Endpoint in = h.in();
            Endpoint out = h.out();
            assertEquals(0xff, in.revmap(), "6.12 never sets ffs_ep.num, initialised to -1");
            assertEquals(0xff, out.revmap());
            byte[] d = in.descriptor();
            assertEquals(5, d[1], "bDescriptorType ENDPOINT");
            assertEquals(h.hostIn, d[2] & 0xff, "the descriptor carries the UDC's address");
            assertEquals(h.hostOut, out.descriptor()[2] & 0xff);
            assertEquals(2, d[3] & 0x03, "bulk");
            in.fifoFlush();
        }
    }

    @Test
    void endpointIoctls_notEnabled_nonBlocking_EAGAIN() {
        try (Harness h = Harness.started(fixture)) {
            Endpoint in = h.in(EndpointOption.NON_BLOCKING);
            assertErrno(Errno.EAGAIN, in::revmap);
            assertErrno(Errno.EAGAIN, in::clearHalt);
        }
    }
}
