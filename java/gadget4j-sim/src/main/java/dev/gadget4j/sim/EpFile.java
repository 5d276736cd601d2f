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
     * Moves data while both sides have something queued, as dummy_hcd's {@code transfer()} does
     * for the host's URB at the head of the queue and the gadget's request at the head of its
     * queue: of what both still hold, whole packets first; less than a packet left on either side
     * goes as one short (or zero-length) packet, which ends both transfers. The side that had more
     * than that packet is cut short: a gadget OUT request the host had more data for ends with
     * EOVERFLOW (the host's URB completes normally with only what the request took); a host IN
     * URB the request had more data for ends with EOVERFLOW (the gadget's request completes
     * normally with what the URB took). A transfer filled by whole packets ends without a short
     * packet; a host OUT URB with URB_ZERO_PACKET then owes a zero-length packet, which ends the
     * next request.
     */
    private void pump() {
        boolean toHost = in();
        int mps = maxPacket;
        while (enabled && !halted && !hostQueue.isEmpty() && !gadgetQueue.isEmpty()) {
            Xfer host = hostQueue.peek();
            Xfer dev = gadgetQueue.peek();
            long hostLen = host.remaining();
            long devLen = dev.remaining();
            long len = Math.min(hostLen, devLen);
            boolean shortPacket = len < mps;
            if (!shortPacket) {
                len -= len % mps;
            }
            Xfer from = toHost ? dev : host;
            Xfer to = toHost ? host : dev;
            MemorySegment.copy(from.segment, from.done, to.segment, to.done, len);
            host.done += len;
            dev.done += len;
            if (shortPacket) {
                gadgetQueue.poll().complete(!toHost && hostLen > devLen ? Errno.EOVERFLOW : null);
                hostQueue.poll().complete(toHost && devLen > hostLen ? Errno.EOVERFLOW : null);
                continue;
            }
            if (dev.remaining() == 0) {
                gadgetQueue.poll().complete(null);
            }
            if (host.remaining() == 0 && !(host.zeroPacket && !toHost)) {
                hostQueue.poll().complete(null);
            }
        }
    }
}
