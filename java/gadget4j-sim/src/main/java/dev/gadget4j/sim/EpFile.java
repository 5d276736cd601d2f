package dev.gadget4j.sim;

import dev.gadget4j.Errno;
import dev.gadget4j.Speed;
import dev.gadget4j.descriptor.EndpointInfo;
import dev.gadget4j.descriptor.UsbDescriptor;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One endpoint of a function: the kernel's {@code ffs_epfile} (the file and its DMABUF
 * attachments, shared by every open of it) together with the UDC endpoint behind it (its request
 * queue, enable state and halt). The host's URBs for the endpoint queue here too; data moves
 * packet by packet between the two queues as USB moves it. Everything is guarded by the bus lock.
 */
final class EpFile {
    final Bus bus;
    final EndpointInfo spec;
    final String path;
    int udcAddress;
    boolean enabled;
    boolean halted;
    int maxPacket;
    private final ArrayDeque<Xfer> gadgetQueue = new ArrayDeque<>();
    private final ArrayDeque<Xfer> hostQueue = new ArrayDeque<>();
    /** Newest first, as the kernel's list_add keeps them. */
    final List<Attachment> attachments = new ArrayList<>();
    long seqno;

    EpFile(Bus bus, EndpointInfo spec, String path) {
        this.bus = bus;
        this.spec = spec;
        this.path = path;
        this.udcAddress = spec.address();
        this.maxPacket = maxPacket(Speed.FULL);
    }

    /** wMaxPacketSize at {@code speed}; a function without descriptors that slow runs with its slowest set. */
    private int maxPacket(Speed speed) {
        return spec.descriptor(speed).or(() -> spec.descriptors().values().stream().findFirst())
                .map(UsbDescriptor.Endpoint::packetSize).filter(n -> n > 0).orElse(speed.bulkMaxPacketSize());
    }

    boolean in() {
        return spec.in();
    }

    void enable(Speed speed) {
        enabled = true;
        halted = false;
        maxPacket = maxPacket(speed);
        bus.signal();
    }

    /** usb_ep_disable: every queued request completes with ESHUTDOWN; the host's URBs see a dead endpoint. */
    void disable(Errno hostStatus) {
        enabled = false;
        drain(gadgetQueue, Errno.ESHUTDOWN);
        drain(hostQueue, hostStatus);
        bus.signal();
    }

    private static void drain(ArrayDeque<Xfer> queue, Errno status) {
        while (!queue.isEmpty()) {
            queue.poll().complete(status);
        }
    }

    void queueGadget(Xfer x) {
        gadgetQueue.add(x);
        pump();
    }

    void queueHost(Xfer x) {
        if (!enabled) {
            x.complete(Errno.EPROTO);
            return;
        }
        if (halted) {
            x.complete(Errno.EPIPE);
            return;
        }
        hostQueue.add(x);
        pump();
    }

    boolean hasQueuedIn() {
        return !gadgetQueue.isEmpty();
    }

    void setHalt(boolean halt) {
        halted = halt;
        if (halt) {
            drain(hostQueue, Errno.EPIPE);
        } else {
            pump();
        }
        bus.signal();
    }

    /** usb_ep_dequeue / usb_unlink_urb. */
    boolean dequeue(Xfer x, Errno status) {
        if (gadgetQueue.remove(x) || hostQueue.remove(x)) {
            x.complete(status);
            bus.signal();
            return true;
        }
        return false;
    }

    /**
     * Moves data while both sides have something queued. Packets start at each producer request's
     * start; a packet shorter than wMaxPacketSize (or a zero-length one) ends the consumer's
     * transfer, as does filling it; a packet that does not fit the consumer's remaining space is
     * babble (EOVERFLOW).
     */
    private void pump() {
        ArrayDeque<Xfer> producers = in() ? gadgetQueue : hostQueue;
        ArrayDeque<Xfer> consumers = in() ? hostQueue : gadgetQueue;
        int mps = maxPacket;
        while (enabled && !halted && !producers.isEmpty() && !consumers.isEmpty()) {
            Xfer p = producers.peek();
            Xfer c = consumers.peek();
            long pRem = p.remaining();
            long cRem = c.remaining();
            if (pRem == 0) {
                // A zero-length packet: a zero-length request, or the one URB_ZERO_PACKET adds.
                p.zlpSent = true;
                producers.poll().complete(null);
                consumers.poll().complete(null);
                continue;
            }
            long n = Math.min(pRem, cRem);
            if (n < pRem) {
                n -= n % mps;
                if (n == 0) {
                    long lost = Math.min(mps, pRem);
                    p.done += lost;
                    consumers.poll().complete(Errno.EOVERFLOW);
                    if (p.remaining() == 0 && !p.owesZlp(mps)) {
                        producers.poll().complete(null);
                    }
                    continue;
                }
            }
            MemorySegment.copy(p.segment, p.done, c.segment, c.done, n);
            p.done += n;
            c.done += n;
            boolean producerDone = p.remaining() == 0;
            boolean shortPacket = producerDone && p.length % mps != 0;
            if (producerDone && !p.owesZlp(mps)) {
                producers.poll().complete(null);
            }
            if (shortPacket || c.remaining() == 0) {
                consumers.poll().complete(null);
            }
        }
    }
}
