package dev.gadget4j.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The live-transfer list: indices kept across swaps, the other-attachment check with and without members. */
class TransferListTest {
    private final EndpointDmaBufs.Attachment first = new EndpointDmaBufs.Attachment(null);
    private final EndpointDmaBufs.Attachment second = new EndpointDmaBufs.Attachment(null);

    private static LinuxTransfer on(EndpointDmaBufs.Attachment a, long seqno) {
        return new LinuxTransfer(null, null, a, 1, seqno, -1, null, 0);
    }

    @Test
    void anyOtherThan_onAnEmptyList_isFalseForEveryAttachment() {
        TransferList list = new TransferList(false);
        assertFalse(list.anyOtherThan(first));
        assertFalse(list.anyOtherThan(null));
    }

    @Test
    void anyOtherThan_seesOnlyTransfersOfOtherAttachments_untilTheyAreRemoved() {
        TransferList list = new TransferList(false);
        LinuxTransfer own = on(first, 1);
        LinuxTransfer other = on(second, 2);
        list.add(own);
        assertFalse(list.anyOtherThan(first));
        assertTrue(list.anyOtherThan(second));
        list.add(other);
        assertTrue(list.anyOtherThan(first));
        list.remove(other);
        assertFalse(list.anyOtherThan(first));
        list.remove(own);
        assertFalse(list.anyOtherThan(second), "emptied again: the check without the lock must see it");
        assertEquals(0, list.snapshot().length);
    }

    @Test
    void remove_swapsTheLastInAndKeepsEveryIndex_pastTheFirstGrowth() {
        TransferList list = new TransferList(false);
        LinuxTransfer[] t = new LinuxTransfer[20];
        for (int i = 0; i < t.length; i++) {
            t[i] = on(first, i);
            assertEquals(i + 1, list.add(t[i]));
        }
        list.remove(t[3]);
        list.remove(t[0]);
        list.remove(t[0]); // not in the list any more: ignored
        assertEquals(18, list.snapshot().length);
        for (LinuxTransfer x : list.snapshot()) {
            assertEquals(x, list.snapshot()[x.listIndex()], "each member's index points at it");
        }
        assertEquals(-1, t[3].listIndex());
        assertEquals(-1, t[0].listIndex());
        for (int i = 1; i < t.length; i++) {
            if (i != 3) {
                list.remove(t[i]);
            }
        }
        assertArrayEquals(new LinuxTransfer[0], list.snapshot());
    }

    @Test
    void singleBuffersList_holdsItsOneTransfer_untilThatOneIsRemoved() {
        TransferList list = new TransferList(true);
        assertFalse(list.anyOtherThan(first));
        assertEquals(0, list.snapshot().length);
        LinuxTransfer t = on(first, 1);
        list.add(t);
        assertArrayEquals(new LinuxTransfer[] {t}, list.snapshot());
        assertFalse(list.anyOtherThan(first));
        assertTrue(list.anyOtherThan(null), "a CPU-access bracket waits for every transfer of the buffer");
        LinuxTransfer next = on(first, 2);
        list.remove(next); // not the member: ignored
        assertArrayEquals(new LinuxTransfer[] {t}, list.snapshot());
        list.remove(t);
        assertEquals(-1, t.listIndex());
        assertEquals(0, list.snapshot().length);
        list.add(next);
        assertArrayEquals(new LinuxTransfer[] {next}, list.snapshot());
    }

    @Test
    void anyOtherThan_afterAnotherThreadsAddIsHandedOver_seesIt() throws InterruptedException {
        TransferList list = new TransferList(false);
        CountDownLatch added = new CountDownLatch(1);
        Thread adder = Thread.ofPlatform().start(() -> {
            list.add(on(second, 1));
            added.countDown();
        });
        added.await();
        assertTrue(list.anyOtherThan(first));
        adder.join();
    }

    @Test
    void threadsAddingAndRemovingAtOnce_loseNoChange_andWalksSeeNoTornList() throws InterruptedException {
        TransferList list = new TransferList(false);
        int threads = 4;
        int rounds = 20_000;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        List<LinuxTransfer> all = new ArrayList<>();
        for (int w = 0; w < threads; w++) {
            LinuxTransfer[] own = {on(first, 3L * w), on(first, 3L * w + 1), on(first, 3L * w + 2)};
            all.addAll(List.of(own));
            workers.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                    for (int i = 0; i < rounds; i++) {
                        for (LinuxTransfer t : own) {
                            list.add(t);
                        }
                        for (LinuxTransfer t : own) {
                            list.remove(t);
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        Thread walker = Thread.ofPlatform().start(() -> {
            try {
                go.await();
                while (workers.stream().anyMatch(Thread::isAlive)) {
                    // a copy taken in the middle of a change would hold a null or a duplicate
                    LinuxTransfer[] seen = list.snapshot();
                    if (Arrays.stream(seen).anyMatch(Objects::isNull) || Set.of(seen).size() != seen.length) {
                        throw new AssertionError("a walk saw a half-made change: " + Arrays.toString(seen));
                    }
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        });
        go.countDown();
        for (Thread t : workers) {
            t.join();
        }
        walker.join();
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertEquals(0, list.snapshot().length, "every add was matched by its remove");
        for (LinuxTransfer t : all) {
            assertEquals(-1, t.listIndex());
        }
        assertFalse(list.anyOtherThan(second));
    }
}
