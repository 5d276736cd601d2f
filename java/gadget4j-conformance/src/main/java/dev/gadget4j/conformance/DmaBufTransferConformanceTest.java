package dev.gadget4j.conformance;

import static dev.gadget4j.conformance.Harness.WAIT;
import static dev.gadget4j.conformance.ErrnoAssertions.assertErrno;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gadget4j.DmaBuf;
import dev.gadget4j.Endpoint;
import dev.gadget4j.EndpointOption;
import dev.gadget4j.Errno;
import dev.gadget4j.Event;
import dev.gadget4j.IoRequest;
import dev.gadget4j.Transfer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The FunctionFS DMABUF ioctls, one case per row of the kernel's behaviour: every errno in the
 * order {@code ffs_dmabuf_attach}, {@code ffs_dmabuf_detach} and {@code ffs_dmabuf_transfer} check
 * them, the reservation waits, fences and their completion status.
 */
@ExtendWith(DmaBufCases.class)
class DmaBufTransferConformanceTest {
    private static final long SIZE = 64 * 1024;
    private static final Duration SHORT = Duration.ofMillis(300);
    private final Fixture fixture = Fixture.current();

    // ---- ATTACH ----

    @Test
    void attach_beforeBind_EPERM() {
        try (Harness h = Harness.started(fixture); DmaBuf buf = h.backend.dmaBufs().allocate(SIZE)) {
            Endpoint in = h.in();
            assertErrno(Errno.EPERM, () -> in.attach(buf));
        }
    }

    @Test
    void attach_closedDmaBuf_EBADF() {
        try (Harness h = Harness.enabled(fixture)) {
            DmaBuf buf = h.backend.dmaBufs().allocate(SIZE);
            buf.close();
            Endpoint in = h.in();
            assertErrno(Errno.EBADF, () -> in.attach(buf));
        }
    }

    @Test
    void attach_twice_createsTwoAttachments() {
        try (Harness h = Harness.enabled(fixture); DmaBuf buf = h.backend.dmaBufs().allocate(SIZE)) {
            Endpoint in = h.in();
            in.attach(buf);
            in.attach(buf);
            in.detach(buf);
            in.detach(buf);
            assertErrno(Errno.EPERM, () -> in.detach(buf));
        }
    }

    @Test
    void attach_afterUnbind_EPERM() {
        try (Harness h = Harness.enabled(fixture); DmaBuf buf = h.backend.dmaBufs().allocate(SIZE)) {
            Endpoint in = h.in();
            h.gadget.unbind();
            assertErrno(Errno.EPERM, () -> in.attach(buf));
        }
    }

    // ---- DETACH ----

    @Test
    void detach_notAttached_EPERM() {
        try (Harness h = Harness.enabled(fixture); DmaBuf buf = h.backend.dmaBufs().allocate(SIZE)) {
            Endpoint in = h.in();
            assertErrno(Errno.EPERM, () -> in.detach(buf));
        }
    }

    @Test
    void detach_cancelsPendingTransfer_ECONNRESET() {
        try (Harness h = Harness.enabled(fixture); DmaBuf buf = h.backend.dmaBufs().allocate(SIZE)) {
            Endpoint in = h.in();
            in.attach(buf);
            Transfer t = in.transfer(buf, SIZE);
            assertFalse(t.isDone(), "nothing reads: the IN transfer must stay pending");
            in.detach(buf);
            assertErrno(Errno.ECONNRESET, () -> t.await(WAIT));
        }
    }

    @Test
    void detach_afterUnbind_ENODEV() {
        try (Harness h = Harness.enabled(fixture); DmaBuf buf = h.backend.dmaBufs().allocate(SIZE)) {
            Endpoint in = h.in();
            in.attach(buf);
            h.gadget.unbind();
            assertErrno(Errno.ENODEV, () -> in.detach(buf));
        }
    }

    @Test
    void closeEndpoint_cancelsPendingTransfer_ECONNRESET() {
        try (Harness h = Harness.enabled(fixture); DmaBuf buf = h.backend.dmaBufs().allocate(SIZE)) {
            Endpoint in = h.in();
            in.attach(buf);
            Transfer t = in.transfer(buf, SIZE);
            in.close();
            assertErrno(Errno.ECONNRESET, () -> t.await(WAIT));
            in.close();
        }
    }

    // ---- one transfer in flight per attachment ----

    @Test
    void transfer_secondOnSameAttachmentWhilePending_EBUSY_acceptedAfterCompletion() {
        try (Harness h = Harness.enabled(fixture); DmaBuf buf = h.backend.dmaBufs().allocate(SIZE);
             Arena arena = Arena.ofConfined()) {
            Endpoint in = h.in();
            in.attach(buf);
            Transfer first = in.transfer(buf, 4096);
            assertErrno(Errno.EBUSY, () -> in.transfer(buf, 2048));
            assertEquals(4096, h.host.bulk(h.hostIn, arena.allocate(4096), WAIT));
            first.await(WAIT);
            Transfer second = in.transfer(buf, 2048);
            assertEquals(2048, h.host.bulk(h.hostIn, arena.allocate(2048), WAIT));
            second.await(WAIT);
            assertTrue(second.seqno() > first.seqno(), "seqno grows per endpoint in queue order");
        }
    }

    @Test
    void transfer_secondOnSameAttachment_acceptedAfterCancellation() {
        try (Harness h = Harness.enabled(fixture); DmaBuf buf = h.backend.dmaBufs().allocate(SIZE);
             Arena arena = Arena.ofConfined()) {
            Endpoint in = h.in();
            in.attach(buf);
            Transfer first = in.transfer(buf, 4096);
            h.host.setInterface(0, 0);
            assertErrno(Errno.ESHUTDOWN, () -> first.await(WAIT));
            h.awaitEvent(Event.Enable.class);
            Transfer second = in.transfer(buf, 4096);
            in.detach(buf);
            assertErrno(Errno.ECONNRESET, () -> second.await(WAIT));
        }
    }

    /**
     * A transfer on a buffer's second attachment, after one on its first completed unobserved,
     * is the one closing the endpoint cancels (and says so): the completed one does not make
     * its status ambiguous.
     */
    @Test
    void closeEndpoint_cancelsTransferOnSecondAttachment_afterFirstCompletedUnobserved_ECONNRESET() {
        try (Harness h = Harness.enabled(fixture); DmaBuf buf = h.backend.dmaBufs().allocate(4096);
             Arena arena = Arena.ofConfined()) {
            Endpoint in = h.in();
            in.attach(buf);
            Transfer first = in.transfer(buf, 512);
            assertEquals(512, h.host.bulk(h.hostIn, arena.allocate(2048), WAIT));
            in.attach(buf);
            Transfer second = in.transfer(buf, 2048);
            in.close();
            first.await(WAIT);
            assertErrno(Errno.ECONNRESET, () -> second.await(WAIT));
        }
    }

    /**
     * One buffer attached twice, a transfer pending on each attachment, the endpoint closed: the
     * kernel cancels each attachment's latest transfer, so both end with ECONNRESET, and both
     * say so (the fuzzer's seeds 16, 24 and 30).
     */
    @Test
    void closeEndpoint_bufferAttachedTwice_transferPendingOnEach_bothECONNRESET() {
        try (Harness h = Harness.enabled(fixture); DmaBuf buf = h.backend.dmaBufs().allocate(4096)) {
            Endpoint in = h.in();
            Transfer[] t = transferOnEachOfTwoAttachments(in, buf);
            in.close();
            assertErrno(Errno.ECONNRESET, () -> t[0].await(WAIT));
            assertErrno(Errno.ECONNRESET, () -> t[1].await(WAIT));
            assertStatusesKnown(t);
        }
    }

    /**
     * The same, but the host read the first transfer before the close: it completed, the second
     * was cancelled, and each reports its own status although the second one's fence could only
     * be observed together with the first one's.
     */
    @Test
    void closeEndpoint_bufferAttachedTwice_firstReadByHost_firstOk_secondECONNRESET() {
        try (Harness h = Harness.enabled(fixture); DmaBuf buf = h.backend.dmaBufs().allocate(4096);
             Arena arena = Arena.ofConfined()) {
            Endpoint in = h.in();
            Transfer[] t = transferOnEachOfTwoAttachments(in, buf);
            assertEquals(2048, h.host.bulk(h.hostIn, arena.allocate(2048), WAIT));
            in.close();
            t[0].await(WAIT);
            assertErrno(Errno.ECONNRESET, () -> t[1].await(WAIT));
            assertStatusesKnown(t);
        }
    }

    /**
     * The same buffer on two attachments, both transfers pending, the host reads the first: the
     * second, observed through one sync_file with the first, still reports that it is pending,
     * and completes with its own status once the host reads it.
     */
    @Test
    void bufferAttachedTwice_secondTransferObservedAlongTheFirst_completesWithItsOwnStatus() {
        try (Harness h = Harness.enabled(fixture); DmaBuf buf = h.backend.dmaBufs().allocate(4096);
             Arena arena = Arena.ofConfined()) {
            Endpoint in = h.in();
            Transfer[] t = transferOnEachOfTwoAttachments(in, buf);
            assertEquals(2048, h.host.bulk(h.hostIn, arena.allocate(2048), WAIT));
            assertFalse(t[1].waitFor(Duration.ZERO), t[1].toString());
            assertEquals(4096, h.host.bulk(h.hostIn, arena.allocate(4096), WAIT));
            t[1].await(WAIT);
            t[0].await(WAIT);
            assertStatusesKnown(t);
        }
    }

    /**
     * A third attachment of the buffer, without a transfer, detached again (DETACH drops the
     * newest): the two pending transfers hold no fence of it, stay observable, and the close
     * cancels both (the fuzzer's seed 55).
     */
    @Test
    void detachAttachmentWithoutTransfer_otherAttachmentsTransfersStayObservable_closeCancelsBoth() {
        try (Harness h = Harness.enabled(fixture); DmaBuf buf = h.backend.dmaBufs().allocate(4096)) {
            Endpoint in = h.in();
            Transfer[] t = transferOnEachOfTwoAttachments(in, buf);
            in.attach(buf);
            in.detach(buf);
            in.close();
            assertErrno(Errno.ECONNRESET, () -> t[0].await(WAIT));
            assertErrno(Errno.ECONNRESET, () -> t[1].await(WAIT));
            assertStatusesKnown(t);
        }
    }

    /**
     * A transfer longer than the buffer, on a second attachment while an OUT transfer of the
     * buffer is pending: EINVAL at once, the kernel's first check, before any wait for the
     * pending transfer (the fuzzer's seed 76).
     */
    @Test
    void transfer_tooLong_whileAnotherAttachmentsOutTransferPending_EINVAL() {
        try (Harness h = Harness.enabled(fixture); DmaBuf buf = h.backend.dmaBufs().allocate(4096)) {
            Endpoint out = h.out();
            out.attach(buf);
            out.transfer(buf, 511);
            out.attach(buf);
            assertErrno(Errno.EINVAL, () -> out.transfer(buf, 4097));
        }
    }

    /** One buffer attached twice to {@code in}, a transfer of 2048 and then one of 4096 bytes queued through each attachment. */
    private static Transfer[] transferOnEachOfTwoAttachments(Endpoint in, DmaBuf buf) {
        in.attach(buf);
        Transfer first = in.transfer(buf, 2048);
        in.attach(buf);
        return new Transfer[] {first, in.transfer(buf, 4096)};
    }

    private static void assertStatusesKnown(Transfer... transfers) {
        for (Transfer t : transfers) {
            assertTrue(t.statusKnown(), t.toString());
        }
    }

    /**
     * The sequence that crashed Linux 6.12 when the second transfer was queued: two IN transfers
     * on one attachment, the endpoint file closed, then SET_INTERFACE disabling the endpoint. The
     * second is refused now, and the gadget goes on working after the SET_INTERFACE.
     */
    @Test
    void twoInTransfersOneAttachment_closeThenSetInterface_secondRefused_gadgetSurvives() {
        try (Harness h = Harness.enabled(fixture); DmaBuf buf = h.backend.dmaBufs().allocate(4096);
             Arena arena = Arena.ofConfined()) {
            Endpoint in = h.in(EndpointOption.NON_BLOCKING);
            in.attach(buf);
            Transfer first = in.transfer(buf, 2048);
            assertErrno(Errno.EBUSY, () -> in.transfer(buf, 4096));
            in.close();
            assertErrno(Errno.ECONNRESET, () -> first.await(WAIT));
            h.host.setInterface(0, 0);
            h.awaitEvent(Event.Enable.class);
            Endpoint again = h.in();
            again.attach(buf);
            Transfer t = again.transfer(buf, 4096);
            assertEquals(4096, h.host.bulk(h.hostIn, arena.allocate(4096), WAIT));
            t.await(WAIT);
        }
    }

    // ---- TRANSFER, in the kernel's order of checks ----

    @Test
    void transfer_closedDmaBuf_EBADF() {
        try (Harness h = Harness.enabled(fixture)) {
            DmaBuf buf = h.backend.dmaBufs().allocate(SIZE);
            Endpoint in = h.in();
            in.attach(buf);
            buf.close();
            assertErrno(Errno.EBADF, () -> in.transfer(buf, SIZE));
        }
    }

    @Test
    void transfer_lengthZero_EINVAL() {
        try (Harness h = Harness.enabled(fixture); DmaBuf buf = h.backend.dmaBufs().allocate(SIZE)) {
            Endpoint in = h.in();
            in.attach(buf);
            assertErrno(Errno.EINVAL, () -> in.transfer(buf, 0));
        }
    }

    @Test
    void transfer_lengthBeyondSize_EINVAL() {
        try (Harness h = Harness.enabled(fixture); DmaBuf buf = h.backend.dmaBufs().allocate(SIZE)) {
            Endpoint in = h.in();
            in.attach(buf);
            assertErrno(Errno.EINVAL, () -> in.transfer(buf, SIZE + 1));
        }
    }

    @Test
    void transfer_lengthCheckedBeforeAttachment_EINVAL() {
        try (Harness h = Harness.enabled(fixture); DmaBuf buf = h.backend.dmaBufs().allocate(SIZE)) {
            Endpoint in = h.in();
            assertErrno(Errno.EINVAL, () -> in.transfer(buf, 0));
        }
    }

    @Test
    void transfer_notAttached_EPERM() {
        try (Harness h = Harness.enabled(fixture); DmaBuf buf = h.backend.dmaBufs().allocate(SIZE)) {
            Endpoint in = h.in();
            assertErrno(Errno.EPERM, () -> in.transfer(buf, SIZE));
        }
    }

    @Test
    void transfer_attachedToOtherEndpointOnly_EPERM() {
        try (Harness h = Harness.enabled(fixture); DmaBuf buf = h.backend.dmaBufs().allocate(SIZE)) {
            Endpoint in = h.in();
            Endpoint out = h.out();
            out.attach(buf);
            assertErrno(Errno.EPERM, () -> in.transfer(buf, SIZE));
        }
    }

    @Test
    void transfer_notEnabled_nonBlocking_EAGAIN() {
        try (Harness h = Harness.enabled(fixture); DmaBuf buf = h.backend.dmaBufs().allocate(SIZE)) {
            Endpoint in = h.in(EndpointOption.NON_BLOCKING);
            in.attach(buf);
            h.host.setConfiguration(0);
            h.awaitEvent(Event.Disable.class);
            assertErrno(Errno.EAGAIN, () -> in.transfer(buf, SIZE));
        }
    }

    @Test
    void transfer_notEnabled_blocking_waitsForEnable() throws Exception {
        try (Harness h = Harness.enabled(fixture); DmaBuf buf = h.backend.dmaBufs().allocate(SIZE)) {
            Background<Transfer> queued = transferWaitingForEnable(h, h.in(), buf);
            h.host.setConfiguration(1);
            h.awaitEvent(Event.Enable.class);
            Transfer t = queued.get(WAIT);
            try (Arena arena = Arena.ofConfined()) {
                assertEquals(SIZE, h.host.bulk(h.hostIn, arena.allocate(SIZE), WAIT));
            }
            t.await(WAIT);
        }
    }

    @Test
    void transfer_notEnabled_blocking_closingTheEndpoint_EBADF() throws Exception {
        try (Harness h = Harness.enabled(fixture); DmaBuf buf = h.backend.dmaBufs().allocate(SIZE)) {
            Endpoint in = h.in();
            Background<Transfer> queued = transferWaitingForEnable(h, in, buf);
            in.close();
            assertErrno(Errno.EBADF, () -> queued.get(WAIT));
        }
    }

    /** Attaches {@code buf} to {@code in}, has the host disable the endpoint, and starts a TRANSFER that sleeps. */
    private static Background<Transfer> transferWaitingForEnable(Harness h, Endpoint in, DmaBuf buf) throws Exception {
        in.attach(buf);
        h.host.setConfiguration(0);
        h.awaitEvent(Event.Disable.class);
        Background<Transfer> queued = Background.start(() -> in.transfer(buf, SIZE));
        assertTrue(queued.stillBlockedAfter(SHORT), "TRANSFER must sleep until ENABLE");
        return queued;
    }

    @Test
    void transfer_inWhileOutPending_nonBlocking_EBUSY() {
        try (Harness h = Harness.enabled(fixture); DmaBuf buf = h.backend.dmaBufs().allocate(SIZE)) {
            Endpoint in = h.in(EndpointOption.NON_BLOCKING);
            Endpoint out = h.out();
            in.attach(buf);
            out.attach(buf);
            Transfer writer = out.transfer(buf, SIZE);
            assertErrno(Errno.EBUSY, () -> in.transfer(buf, SIZE));
            out.detach(buf);
            assertErrno(Errno.ECONNRESET, () -> writer.await(WAIT));
        }
    }

    @Test
    void transfer_outWhileInPending_nonBlocking_EBUSY() {
        try (Harness h = Harness.enabled(fixture); DmaBuf buf = h.backend.dmaBufs().allocate(SIZE)) {
            Endpoint in = h.in();
            Endpoint out = h.out(EndpointOption.NON_BLOCKING);
            in.attach(buf);
            out.attach(buf);
            Transfer reader = in.transfer(buf, SIZE);
            assertErrno(Errno.EBUSY, () -> out.transfer(buf, SIZE));
            in.detach(buf);
            assertErrno(Errno.ECONNRESET, () -> reader.await(WAIT));
        }
    }

    @Test
    void transfer_outWhileInPending_blocking_EBUSYafter5s() throws Exception {
        try (Harness h = Harness.enabled(fixture); DmaBuf buf = h.backend.dmaBufs().allocate(SIZE)) {
            Background<Transfer> second = outBehindIn(h, buf).second();
            fixture.elapse(Duration.ofMillis(5200));
            assertErrno(Errno.EBUSY, () -> second.get(WAIT));
        }
    }

    @Test
    void transfer_outWhileInPending_blocking_proceedsWhenInCompletes() throws Exception {
        try (Harness h = Harness.enabled(fixture); DmaBuf buf = h.backend.dmaBufs().allocate(SIZE);
             Arena arena = Arena.ofConfined()) {
            OutBehindIn w = outBehindIn(h, buf);
            assertEquals(SIZE, h.host.bulk(h.hostIn, arena.allocate(SIZE), WAIT));
            w.first().await(WAIT);
            MemorySegment data = arena.allocate(SIZE);
            Patterns.fill(data, SIZE, 2);
            Transfer t = w.second().get(WAIT);
            assertEquals(SIZE, h.host.bulk(h.hostOut, data, WAIT));
            t.await(WAIT);
            buf.read(s -> assertEquals(-1, Patterns.mismatch(s, SIZE, 2)));
        }
    }

    @Test
    void transfer_waitingForAnotherAttachment_closingTheEndpoint_EBADF() throws Exception {
        try (Harness h = Harness.enabled(fixture); DmaBuf buf = h.backend.dmaBufs().allocate(SIZE)) {
            OutBehindIn w = outBehindIn(h, buf);
            w.out().close();
            // EBADF, not the EBUSY that ends the wait after 5 s.
            assertErrno(Errno.EBADF, () -> w.second().get(WAIT));
        }
    }

    @Test
    void transfer_waitingForAnotherAttachment_disabled_waitsForEnable() throws Exception {
        try (Harness h = Harness.enabled(fixture); DmaBuf buf = h.backend.dmaBufs().allocate(SIZE);
             Arena arena = Arena.ofConfined()) {
            OutBehindIn w = outBehindIn(h, buf);
            h.host.setConfiguration(0);
            h.awaitEvent(Event.Disable.class);
            assertErrno(Errno.ESHUTDOWN, () -> w.first().await(WAIT));
            // As a blocking TRANSFER on a disabled endpoint: it sleeps until the next ENABLE.
            assertTrue(w.second().stillBlockedAfter(SHORT), "the OUT transfer must wait for ENABLE");
            h.host.setConfiguration(1);
            h.awaitEvent(Event.Enable.class);
            Transfer t = w.second().get(WAIT);
            MemorySegment data = arena.allocate(SIZE);
            Patterns.fill(data, SIZE, 3);
            assertEquals(SIZE, h.host.bulk(h.hostOut, data, WAIT));
            t.await(WAIT);
            buf.read(s -> assertEquals(-1, Patterns.mismatch(s, SIZE, 3)));
        }
    }

    /** An IN transfer of a buffer the host does not read yet, and an OUT transfer of it waiting behind on {@code out}. */
    private record OutBehindIn(Transfer first, Endpoint out, Background<Transfer> second) {
    }

    /** Attaches {@code buf} to the harness's IN and OUT endpoints and starts {@link OutBehindIn}. */
    private static OutBehindIn outBehindIn(Harness h, DmaBuf buf) throws Exception {
        Endpoint in = h.in();
        Endpoint out = h.out();
        in.attach(buf);
        out.attach(buf);
        Transfer first = in.transfer(buf, SIZE);
        Background<Transfer> second = Background.start(() -> out.transfer(buf, SIZE));
        assertTrue(second.stillBlockedAfter(SHORT), "the OUT transfer must wait for the IN transfer reading the buffer");
        return new OutBehindIn(first, out, second);
    }

    @Test
    void transfer_afterUnbind_ENODEV() {
        try (Harness h = Harness.enabled(fixture); DmaBuf buf = h.backend.dmaBufs().allocate(SIZE)) {
            Endpoint in = h.in();
            in.attach(buf);
            h.gadget.unbind();
            assertErrno(Errno.ENODEV, () -> in.transfer(buf, SIZE));
        }
    }

    // ---- completion: fences, status, poll ----

    @Test
    void fence_in_completesOk_dataReachesHost() {
        try (Harness h = Harness.enabled(fixture); DmaBuf buf = h.backend.dmaBufs().allocate(SIZE);
             Arena arena = Arena.ofConfined()) {
            buf.write(s -> Patterns.fill(s, SIZE, 3));
            Endpoint in = h.in();
            in.attach(buf);
            Transfer t = in.transfer(buf, SIZE);
            MemorySegment got = arena.allocate(SIZE);
            assertEquals(SIZE, h.host.bulk(h.hostIn, got, WAIT));
            t.await(WAIT);
            assertTrue(t.isDone());
            assertEquals(Optional.empty(), t.status());
            assertEquals(-1, Patterns.mismatch(got, SIZE, 3));
        }
    }

    @Test
    void fence_in_shortLengthEndsWithShortPacket() {
        long length = 1000; // not a multiple of any bulk packet size
        try (Harness h = Harness.enabled(fixture); DmaBuf buf = h.backend.dmaBufs().allocate(SIZE);
             Arena arena = Arena.ofConfined()) {
            buf.write(s -> Patterns.fill(s, SIZE, 4));
            Endpoint in = h.in();
            in.attach(buf);
            Transfer t = in.transfer(buf, length);
            MemorySegment got = arena.allocate(SIZE);
            assertEquals(length, h.host.bulk(h.hostIn, got, WAIT));
            t.await(WAIT);
            assertEquals(-1, Patterns.mismatch(got, length, 4));
        }
    }

    @Test
    void fence_out_completesOk_dataFromHost() {
        try (Harness h = Harness.enabled(fixture); DmaBuf buf = h.backend.dmaBufs().allocate(SIZE);
             Arena arena = Arena.ofConfined()) {
            Endpoint out = h.out();
            out.attach(buf);
            Transfer t = out.transfer(buf, SIZE);
            MemorySegment data = arena.allocate(SIZE);
            Patterns.fill(data, SIZE, 5);
            assertEquals(SIZE, h.host.bulk(h.hostOut, data, WAIT));
            t.await(WAIT);
            buf.read(s -> assertEquals(-1, Patterns.mismatch(s, SIZE, 5)));
        }
    }

    /**
     * A zero timeout reads the fence without waiting: not done while the host has sent nothing,
     * done once it has, for the endpoint's first transfer and for the later ones, which by
     * default poll before they read the fence.
     */
    @Test
    void fence_waitWithZeroTimeout_looksAtTheFence() throws Exception {
        try (Harness h = Harness.enabled(fixture); DmaBuf buf = h.backend.dmaBufs().allocate(SIZE);
             Arena arena = Arena.ofConfined()) {
            Endpoint out = h.out();
            out.attach(buf);
            for (int round = 0; round < 3; round++) {
                Transfer t = out.transfer(buf, SIZE);
                assertFalse(t.waitFor(Duration.ZERO), "round " + round + ": done before the host sent");
                MemorySegment data = arena.allocate(SIZE);
                Patterns.fill(data, SIZE, 7 + round);
                assertEquals(SIZE, h.host.bulk(h.hostOut, data, WAIT));
                Harness.poll("round " + round + "'s transfer", () -> t.waitFor(Duration.ZERO) ? t : null);
                t.await(Duration.ZERO);
                int seed = 7 + round;
                buf.read(seg -> assertEquals(-1, Patterns.mismatch(seg, SIZE, seed)));
            }
        }
    }

    @Test
    void fence_out_shortPacketCompletesEarly() {
        try (Harness h = Harness.enabled(fixture); DmaBuf buf = h.backend.dmaBufs().allocate(SIZE);
             Arena arena = Arena.ofConfined()) {
            Endpoint out = h.out();
            out.attach(buf);
            Transfer t = out.transfer(buf, SIZE);
            MemorySegment data = arena.allocate(100);
            Patterns.fill(data, 100, 6);
            assertEquals(100, h.host.bulk(h.hostOut, data, WAIT));
            t.await(WAIT);
            buf.read(s -> assertEquals(-1, Patterns.mismatch(s, 100, 6)));
        }
    }

    @Test
    void fence_pendingOnDisable_ESHUTDOWN() {
        try (Harness h = Harness.enabled(fixture); DmaBuf buf = h.backend.dmaBufs().allocate(SIZE)) {
            Endpoint in = h.in();
            in.attach(buf);
            Transfer t = in.transfer(buf, SIZE);
            h.host.setInterface(0, 0);
            assertErrno(Errno.ESHUTDOWN, () -> t.await(WAIT));
        }
    }

    @Test
    void fence_await_timeout_ETIMEDOUT() {
        try (Harness h = Harness.enabled(fixture); DmaBuf buf = h.backend.dmaBufs().allocate(SIZE)) {
            Endpoint in = h.in();
            in.attach(buf);
            Transfer t = in.transfer(buf, SIZE);
            assertErrno(Errno.ETIMEDOUT, () -> t.await(Duration.ofMillis(50)));
            assertFalse(t.isDone());
        }
    }

    @Test
    void poll_inPending_readableButNotWritable() {
        try (Harness h = Harness.enabled(fixture); DmaBuf buf = h.backend.dmaBufs().allocate(SIZE);
             Arena arena = Arena.ofConfined()) {
            Endpoint in = h.in();
            in.attach(buf);
            assertTrue(buf.poll(DmaBuf.Readiness.WRITABLE, Duration.ZERO));
            Transfer t = in.transfer(buf, SIZE);
            assertTrue(buf.poll(DmaBuf.Readiness.READABLE, Duration.ZERO), "an IN transfer only reads the buffer");
            assertFalse(buf.poll(DmaBuf.Readiness.WRITABLE, Duration.ZERO));
            h.host.bulk(h.hostIn, arena.allocate(SIZE), WAIT);
            t.await(WAIT);
            assertTrue(buf.poll(DmaBuf.Readiness.WRITABLE, WAIT));
        }
    }

    @Test
    void poll_outPending_notReadable() {
        try (Harness h = Harness.enabled(fixture); DmaBuf buf = h.backend.dmaBufs().allocate(SIZE);
             Arena arena = Arena.ofConfined()) {
            Endpoint out = h.out();
            out.attach(buf);
            Transfer t = out.transfer(buf, SIZE);
            assertFalse(buf.poll(DmaBuf.Readiness.READABLE, Duration.ZERO), "an OUT transfer writes the buffer");
            assertFalse(buf.poll(DmaBuf.Readiness.WRITABLE, Duration.ZERO));
            h.host.bulk(h.hostOut, arena.allocate(SIZE), WAIT);
            t.await(WAIT);
            assertTrue(buf.poll(DmaBuf.Readiness.READABLE, WAIT));
        }
    }

    @Test
    void classicIoAndDmaBufShareTheQueue_inOrder() {
        try (Harness h = Harness.enabled(fixture); DmaBuf buf = h.backend.dmaBufs().allocate(SIZE);
             Arena arena = Arena.ofConfined()) {
            buf.write(s -> Patterns.fill(s, SIZE, 7));
            Endpoint in = h.in();
            in.attach(buf);
            MemorySegment classic = arena.allocate(500);
            Patterns.fill(classic, 500, 8);
            Transfer t = in.transfer(buf, 1000);
            IoRequest w = in.submitWrite(classic);
            MemorySegment got = arena.allocate(SIZE);
            assertEquals(1000, h.host.bulk(h.hostIn, got, WAIT));
            assertEquals(-1, Patterns.mismatch(got, 1000, 7));
            assertEquals(500, h.host.bulk(h.hostIn, got, WAIT));
            assertEquals(-1, Patterns.mismatch(got, 500, 8));
            t.await(WAIT);
            assertEquals(500, w.await(WAIT));
        }
    }
}
