package dev.gadget4j.sim;

import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import dev.gadget4j.internal.HostChecks;
import dev.gadget4j.HostDevice;
import dev.gadget4j.IoRequest;
import dev.gadget4j.UsbDeviceInfo;
import dev.gadget4j.descriptor.SetupPacket;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/** A device opened on the simulated host: what usbfs offers, answered by the simulated UDC. */
final class SimHostDevice implements HostDevice {
    private static final Duration CONTROL_TIMEOUT = Duration.ofSeconds(5);
    private final SimBackend backend;
    private final Bus bus;
    private final SimGadget gadget;
    private final long connection;
    private final UsbDeviceInfo info;
    private final Set<Integer> claimed = new HashSet<>();
    private boolean closed;

    SimHostDevice(SimBackend backend, SimGadget gadget) {
        this.backend = backend;
        this.bus = backend.bus;
        this.gadget = gadget;
        this.connection = gadget.connection;
        this.info = SimHost.info(gadget);
    }

    @Override
    public UsbDeviceInfo info() {
        return info;
    }

    /** usbfs: a closed handle is EBADF, a device that went away ENODEV. Lock held. */
    private void check(String operation) {
        HostChecks.open(closed, operation, info.path());
        if (!gadget.isBound() || gadget.connection != connection) {
            throw new GadgetException(operation, info.path(), Errno.ENODEV, "the device was disconnected");
        }
    }

    @Override
    public byte[] deviceDescriptor() {
        bus.lock.lock();
        try {
            check("read (descriptors)");
            return gadget.deviceDescriptor();
        } finally {
            bus.lock.unlock();
        }
    }

    @Override
    public byte[] configurationDescriptor() {
        bus.lock.lock();
        try {
            check("read (descriptors)");
            return gadget.configurationDescriptor();
        } finally {
            bus.lock.unlock();
        }
    }

    @Override
    public int control(int requestType, int request, int value, int index, MemorySegment data, Duration timeout) {
        HostChecks.control(info.path(), data);
        SetupPacket p = new SetupPacket(requestType & 0xff, request & 0xff, value & 0xffff, index & 0xffff,
                (int) data.byteSize());
        bus.lock.lock();
        try {
            check("USBDEVFS_CONTROL");
            return controlLocked(p, data, timeout);
        } finally {
            bus.lock.unlock();
        }
    }

    private GadgetException stall(SetupPacket p, String why) {
        return new GadgetException("USBDEVFS_CONTROL", info.path(), Errno.EPIPE, "the device stalled " + p + ": " + why);
    }

    private int controlLocked(SetupPacket p, MemorySegment data, Duration timeout) {
        int type = (p.requestType() >> 5) & 3;
        int recipient = p.requestType() & 0x1f;
        if (type == 0) {
            Integer n = standard(p, data, recipient);
            if (n != null) {
                return n;
            }
        }
        SimFunctionFs f;
        int local;
        switch (recipient) {
            case 1 -> {
                f = gadget.functionForInterface(p.index() & 0xff);
                local = f == null ? 0 : (p.index() & 0xff) - f.firstInterface;
            }
            case 2 -> {
                f = gadget.functionForEndpoint(p.index() & 0xff);
                EpFile e = gadget.endpoint(p.index() & 0xff);
                local = e == null ? 0 : f.virtualAddr() ? e.spec.address() : e.spec.fileNumber();
            }
            default -> {
                f = null;
                for (SimFunctionFs candidate : gadget.functions()) {
                    if (candidate.allCtrlRecip()) {
                        f = candidate;
                        break;
                    }
                }
                local = p.index();
            }
        }
        ControlXfer c = new ControlXfer(p, data);
        if (f == null || !f.onSetup(c, local)) {
            throw stall(p, "no function takes it");
        }
        long deadline = bus.deadline(timeout);
        while (!c.complete) {
            if (!bus.await(deadline, "USBDEVFS_CONTROL", info.path())) {
                f.controlAbandoned(c);
                throw new GadgetException("USBDEVFS_CONTROL", info.path(), Errno.ETIMEDOUT,
                        "the function did not answer " + p + " within " + timeout);
            }
        }
        if (c.status == Errno.EPIPE) {
            throw stall(p, "the function stalled it");
        }
        if (c.status != null) {
            throw new GadgetException("USBDEVFS_CONTROL", info.path(), c.status, null);
        }
        return c.actual;
    }

    /** Requests composite and the UDC answer themselves; null to pass it to a function. */
    private Integer standard(SetupPacket p, MemorySegment data, int recipient) {
        int request = p.request();
        if (recipient == 0) {
            switch (request) {
                case 6 -> { // GET_DESCRIPTOR
                    byte[] d = switch (p.value() >> 8) {
                        case 1 -> gadget.deviceDescriptor();
                        case 2 -> gadget.configurationDescriptor();
                        case 3 -> gadget.stringDescriptor(p.value() & 0xff);
                        default -> null;
                    };
                    if (d == null) {
                        throw stall(p, "no such descriptor");
                    }
                    int n = (int) Math.min(d.length, data.byteSize());
                    MemorySegment.copy(MemorySegment.ofArray(d), 0, data, 0, n);
                    return n;
                }
                case 8 -> { // GET_CONFIGURATION
                    if (data.byteSize() > 0) {
                        data.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) gadget.configuration);
                    }
                    return (int) Math.min(1, data.byteSize());
                }
                case 9 -> { // SET_CONFIGURATION
                    if (p.value() > 1) {
                        throw stall(p, "the gadget has configuration 1 only");
                    }
                    gadget.configure(p.value());
                    return 0;
                }
                case 0 -> { // GET_STATUS
                    return zeros(data, 2);
                }
                default -> {
                    return null;
                }
            }
        }
        if (recipient == 1 && request == 11) { // SET_INTERFACE
            SimFunctionFs f = gadget.functionForInterface(p.index() & 0xff);
            if (f == null || gadget.configuration == 0) {
                throw stall(p, "no such interface in the active configuration");
            }
            f.onSetAlt();
            return 0;
        }
        if (recipient == 1 && request == 10) { // GET_INTERFACE: FunctionFS has no get_alt
            throw stall(p, "FunctionFS does not report alternate settings");
        }
        if (recipient == 2 && (request == 1 || request == 3 || request == 0)) {
            EpFile e = gadget.endpoint(p.index() & 0xff);
            if (e == null || !e.enabled) {
                throw stall(p, "no such enabled endpoint");
            }
            if (request == 0) {
                int n = zeros(data, 2);
                if (e.halted && n > 0) {
                    data.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) 1);
                }
                return n;
            }
            e.setHalt(request == 3);
            return 0;
        }
        return null;
    }

    private static int zeros(MemorySegment data, int n) {
        int len = (int) Math.min(n, data.byteSize());
        data.asSlice(0, len).fill((byte) 0);
        return len;
    }

    private void standardRequest(int requestType, int request, int value, int index) {
        control(requestType, request, value, index, MemorySegment.ofArray(new byte[0]), CONTROL_TIMEOUT);
    }

    /** Releases every claimed interface first, as usbfs requires. */
    @Override
    public void setConfiguration(int configuration) {
        bus.locked(() -> claimed.clear());
        standardRequest(0x00, 9, configuration, 0);
    }

    @Override
    public void claimInterface(int interfaceNumber) {
        bus.lock.lock();
        try {
            check("USBDEVFS_CLAIMINTERFACE");
            if (gadget.functionForInterface(interfaceNumber) == null) {
                throw new GadgetException("USBDEVFS_CLAIMINTERFACE", info.path(), Errno.EINVAL,
                        "no interface " + interfaceNumber);
            }
            if (!claimed.add(interfaceNumber)) {
                throw new GadgetException("USBDEVFS_CLAIMINTERFACE", info.path(), Errno.EBUSY,
                        "interface " + interfaceNumber + " is already claimed");
            }
        } finally {
            bus.lock.unlock();
        }
    }

    @Override
    public void releaseInterface(int interfaceNumber) {
        bus.lock.lock();
        try {
            check("USBDEVFS_RELEASEINTERFACE");
            if (!claimed.remove(interfaceNumber)) {
                throw new GadgetException("USBDEVFS_RELEASEINTERFACE", info.path(), Errno.EINVAL,
                        "interface " + interfaceNumber + " is not claimed");
            }
        } finally {
            bus.lock.unlock();
        }
    }

    @Override
    public void setInterface(int interfaceNumber, int alternateSetting) {
        standardRequest(0x01, 11, alternateSetting, interfaceNumber);
    }

    /**
     * A synchronous bulk call's URB; the call that finds it here takes it (lock held) and puts it
     * back once done, so a loop of bulk calls refills one URB instead of allocating one per call.
     */
    private Request idleUrb;

    @Override
    public int bulk(int endpoint, MemorySegment data, Duration timeout) {
        Request spent;
        bus.lock.lock();
        try {
            spent = idleUrb;
            idleUrb = null;
        } finally {
            bus.lock.unlock();
        }
        Request r = queueUrb(endpoint, data, false, spent);
        try {
            return r.await(timeout);
        } catch (GadgetException e) {
            if (e.errno() == Errno.ETIMEDOUT) {
                r.cancel();
            }
            throw e;
        } finally {
            bus.lock.lock();
            try {
                idleUrb = r;
            } finally {
                bus.lock.unlock();
            }
        }
    }

    @Override
    public IoRequest submitBulk(int endpoint, MemorySegment data, boolean zeroPacket) {
        return queueUrb(endpoint, data, zeroPacket, null);
    }

    /** Queues a URB, in {@code spent} when that is a completed URB of the endpoint, else in a new one. */
    private Request queueUrb(int endpoint, MemorySegment data, boolean zeroPacket, Request spent) {
        HostChecks.bulk("USBDEVFS_SUBMITURB", info.path(), endpoint, data);
        boolean in = (endpoint & 0x80) != 0;
        bus.lock.lock();
        try {
            check("USBDEVFS_SUBMITURB");
            EpFile e = gadget.endpoint(endpoint & 0xff);
            if (e == null) {
                throw new GadgetException("USBDEVFS_SUBMITURB", info.path(), Errno.ENOENT,
                        String.format("no endpoint 0x%02x in the active configuration", endpoint));
            }
            boolean zlp = zeroPacket && !in;
            Request r = spent != null && spent.spentOn(e, true)
                    ? spent.refill("USBDEVFS_SUBMITURB", null, data, data.byteSize(), zlp)
                    : new Request(bus, e, true, "USBDEVFS_SUBMITURB", null, data, data.byteSize(), zlp);
            e.queueHost(r);
            return r;
        } finally {
            bus.lock.unlock();
        }
    }

    @Override
    public void clearHalt(int endpoint) {
        standardRequest(0x02, 1, 0, endpoint);
    }

    @Override
    public void close() {
        bus.locked(() -> closed = true);
    }
}
