package dev.gadget4j.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
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
        assertFalse(list.anyOtherThan(second), "emptied again: the check without the monitor must see it");
        assertEquals(0, list.snapshot().length);
    }

    @Test
    void remove_swapsTheLastInAndKeepsEveryIndex_pastTheFirstGrowth() {
        TransferList list = new TransferList(true);
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
            assertEquals(x, list.snapshot()[x.index(true)], "each member's index points at it");
        }
        assertEquals(-1, t[3].index(true));
        assertEquals(-1, t[0].index(false), "the buffer list's index is untouched by the endpoint's list");
        for (int i = 1; i < t.length; i++) {
            if (i != 3) {
                list.remove(t[i]);
            }
        }
        assertArrayEquals(new LinuxTransfer[0], list.snapshot());
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
}
