package dev.gadget4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import dev.gadget4j.IoRequest;
import dev.gadget4j.linux.sys.UsbfsAbi;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * The URB queue's slot logic against a fake usbfs that keeps the kernel's rules: a URB is known
 * from SUBMITURB until REAPURB hands it back; DISCARDURB of an unknown address is EINVAL, of a
 * known one cancels whatever URB is there now.
 */
class UrbQueueTest {
    /** A usbfs that completes URBs when told, and can pause a reap or a discard mid-call. */
    static final class FakeUsbfs implements UrbQueue.Usbfs {
        /** URB address → the submission it holds now (1, 2, ...). */
        final Map<Long, Integer> inKernel = new HashMap<>();
        final Map<Long, MemorySegment> segments = new HashMap<>();
        final ArrayDeque<Long> completed = new ArrayDeque<>();
        final List<Integer> discarded = new ArrayList<>();
        int submissions;
        volatile CountDownLatch reapPaused;
        volatile CountDownLatch reapGo;
        volatile CountDownLatch discardPaused;
        volatile CountDownLatch discardGo;

        @Override
        public synchronized int submit(MemorySegment urb) {
            inKernel.put(urb.address(), ++submissions);
            segments.put(urb.address(), urb);
            return 0;
        }

        /** Completes every URB in flight with {@code status}. */
        synchronized void completeAll(int status) {
            for (long address : inKernel.keySet()) {
                if (!completed.contains(address)) {
                    UsbfsAbi.Urb.status(segments.get(address), status);
                    UsbfsAbi.Urb.actualLength(segments.get(address), status < 0 ? 0 : UsbfsAbi.Urb.bufferLength(segments.get(address)));
                    completed.add(address);
                }
            }
        }

        @Override
        public int discard(MemorySegment urb) {
            pause(discardPaused, discardGo);
            synchronized (this) {
                Integer which = inKernel.get(urb.address());
                if (which == null) {
                    return -Errno.EINVAL.number();
                }
                discarded.add(which);
                if (!completed.contains(urb.address())) {
                    UsbfsAbi.Urb.status(urb, -Errno.ENOENT.number());
                    completed.add(urb.address());
                }
                return 0;
            }
        }

        @Override
        public long reapNoDelay() {
            long address;
            synchronized (this) {
                Long a = completed.poll();
                if (a == null) {
                    return -Errno.EAGAIN.number();
                }
                inKernel.remove(a);
                address = a;
            }
            pause(reapPaused, reapGo);
            return address;
        }

        @Override
        public void awaitCompletion(long millis) {
            Thread.onSpinWait();
        }

        private static void pause(CountDownLatch paused, CountDownLatch go) {
            if (paused != null && paused.getCount() > 0) {
                paused.countDown();
                try {
                    go.await();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }
        }
    }

    private static void awaitBlockedOrDone(Thread t) throws InterruptedException {
        while (t.isAlive() && t.getState() != Thread.State.BLOCKED) {
            Thread.sleep(1);
        }
    }

    @Test
    void submitReapComplete_statusAndLength() {
        FakeUsbfs usbfs = new FakeUsbfs();
        UrbQueue q = new UrbQueue(usbfs, "fake");
        IoRequest r = q.submit(0x02, MemorySegment.ofArray(new byte[100]), false);
        assertFalse(r.isDone());
        usbfs.completeAll(0);
        assertEquals(100, r.await(Duration.ofSeconds(5)));
        IoRequest c = q.submit(0x81, Arena.ofAuto().allocate(64), false);
        assertTrue(c.cancel());
        GadgetException e = assertThrows(GadgetException.class, () -> c.await(Duration.ofSeconds(5)));
        assertEquals(Errno.ENOENT, e.errno());
        assertFalse(c.cancel(), "done: nothing to discard");
        q.close();
        q.closed();
    }

    /**
     * A cancel that races with the reaper of its own URB: the reaper has taken the URB back from
     * usbfs but not completed it yet; the cancel starts its DISCARDURB; the reaper finishes and a
     * new URB is submitted. The discard must not reach the new URB (same slot, same address).
     */
    @Test
    void cancelRacingTheReaper_neverDiscardsTheNextUrbInTheSameSlot() throws Exception {
        FakeUsbfs usbfs = new FakeUsbfs();
        UrbQueue q = new UrbQueue(usbfs, "fake");
        IoRequest first = q.submit(0x81, Arena.ofAuto().allocate(64), false);
        usbfs.completeAll(0);

        usbfs.reapPaused = new CountDownLatch(1);
        usbfs.reapGo = new CountDownLatch(1);
        Thread reaper = new Thread(first::isDone, "reaper");
        reaper.start();
        usbfs.reapPaused.await(); // usbfs has handed the URB back; the queue has not completed it

        usbfs.discardPaused = new CountDownLatch(1);
        usbfs.discardGo = new CountDownLatch(1);
        boolean[] cancelled = new boolean[1];
        Thread canceller = new Thread(() -> cancelled[0] = first.cancel(), "canceller");
        canceller.start();
        usbfs.discardPaused.await(); // DISCARDURB of the first URB's address is under way

        usbfs.reapGo.countDown();
        awaitBlockedOrDone(reaper);
        IoRequest[] second = new IoRequest[1];
        Thread submitter = new Thread(() -> second[0] = q.submit(0x81, Arena.ofAuto().allocate(64), false), "submitter");
        submitter.start();
        awaitBlockedOrDone(submitter);

        usbfs.discardGo.countDown();
        canceller.join();
        reaper.join();
        submitter.join();

        assertEquals(List.of(), usbfs.discarded, "DISCARDURB reached another URB than the one cancelled");
        assertFalse(cancelled[0], "the first URB had completed: nothing to cancel");
        assertTrue(first.isDone());
        assertFalse(second[0].isDone(), "the second URB is still in flight");
        usbfs.completeAll(0);
        assertEquals(64, second[0].await(Duration.ofSeconds(5)));
        q.close();
        q.closed();
    }
}
