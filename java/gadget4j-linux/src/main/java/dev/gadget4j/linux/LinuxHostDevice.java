package dev.gadget4j.linux;

import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import dev.gadget4j.internal.HostChecks;
import dev.gadget4j.HostDevice;
import dev.gadget4j.IoRequest;
import dev.gadget4j.UsbDeviceInfo;
import dev.gadget4j.linux.sys.Constants;
import dev.gadget4j.linux.sys.Fd;
import dev.gadget4j.linux.sys.Ioctl;
import dev.gadget4j.linux.sys.UsbfsAbi;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * A device opened through usbfs. Control and bulk transfers are the synchronous ioctls with the
 * timeout in milliseconds; {@link #submitBulk} hands the URB to the handle's {@link UrbQueue}.
 * Heap segments are copied through native buffers. The synchronous calls' structs and bounce
 * buffers are the device's own ({@link UsbfsScratch}), so a call allocates nothing.
 */
final class LinuxHostDevice implements HostDevice {

    private final UsbDeviceInfo info;
    private final Fd fd;
    private final byte[] deviceDescriptor;
    private final TreeSet<Integer> claimed = new TreeSet<>();
    private final UrbQueue urbs;
    /** The synchronous control and bulk calls' structs and bounce buffers. */
    private final UsbfsScratch scratch = new UsbfsScratch();
    private volatile boolean closed;
    private final LinuxBackend backend;

    private LinuxHostDevice(LinuxBackend backend, UsbDeviceInfo info, Fd fd, byte[] deviceDescriptor) {
        this.backend = backend;
        this.info = info;
        this.fd = fd;
        this.deviceDescriptor = deviceDescriptor;
        this.urbs = new UrbQueue(new UsbfsUrbCalls(fd), info.path());
    }

    static LinuxHostDevice open(LinuxBackend backend, UsbDeviceInfo info) {
        Fd fd = Fd.open(info.path(), Constants.O_RDWR);
        try {
            byte[] all = LinuxUsbHost.readDescriptors(fd);
            if (all.length < 18 || LinuxUsbHost.u16(all, 8) != info.vendorId() || LinuxUsbHost.u16(all, 10) != info.productId()) {
                throw new GadgetException("open (host)", info.path(), Errno.ENODEV,
                        "the device at this address changed while it was being opened");
            }
            return new LinuxHostDevice(backend, info, fd, Arrays.copyOf(all, 18));
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    @Override
    public UsbDeviceInfo info() {
        return info;
    }

    private void checkOpen(String operation) {
        HostChecks.open(closed, operation, info.path());
    }

    @Override
    public byte[] deviceDescriptor() {
        checkOpen("read (descriptors)");
        return deviceDescriptor.clone();
    }

    @Override
    public byte[] configurationDescriptor() {
        checkOpen("read (descriptors)");
        byte[] all = LinuxUsbHost.readDescriptors(fd);
        int active = activeConfiguration();
        byte[] first = null;
        for (int off = 18; off + 9 <= all.length; ) {
            int total = LinuxUsbHost.u16(all, off + 2);
            if (total < 9 || off + total > all.length) {
                break;
            }
            byte[] config = Arrays.copyOfRange(all, off, off + total);
            if ((config[5] & 0xff) == active) {
                return config;
            }
            if (first == null) {
                first = config;
            }
            off += total;
        }
        if (first == null) {
            throw new GadgetException("read (descriptors)", info.path(), Errno.EIO, "no configuration descriptor");
        }
        return first;
    }

    private int activeConfiguration() {
        try {
            byte[] b = new byte[1];
            if (control(0x80, 8, 0, 0, MemorySegment.ofArray(b), Duration.ofSeconds(1)) == 1) {
                return b[0] & 0xff;
            }
        } catch (GadgetException e) {
            // fall back to the first configuration
        }
        return -1;
    }

    private static int millis(Duration timeout) {
        long ms;
        try {
            ms = timeout.toMillis();
        } catch (ArithmeticException e) {
            return 0;
        }
        // usbfs reads 0 as "no timeout": round a positive timeout up to at least 1 ms.
        return ms <= 0 ? 1 : (int) Math.min(ms, Integer.MAX_VALUE);
    }

    @Override
    public int control(int requestType, int request, int value, int index, MemorySegment data, Duration timeout) {
        HostChecks.control(info.path(), data);
        checkOpen("USBDEVFS_CONTROL");
        boolean in = (requestType & 0x80) != 0;
        UsbfsScratch.Set s = scratch.take();
        try {
            MemorySegment buf = s.buffer(data, !in);
            int n = controlNative(requestType, request, value, index, buf, data.byteSize(), millis(timeout), s.struct());
            if (in && buf != data) {
                MemorySegment.copy(buf, 0, data, 0, n);
            }
            return n;
        } finally {
            scratch.give(s);
        }
    }

    private int controlNative(int requestType, int request, int value, int index, MemorySegment buf, long length,
                              int timeoutMs, MemorySegment struct) {
        try {
            UsbfsAbi.CtrlTransfer.set(struct, requestType, request, value, index, buf, length, timeoutMs);
            return fd.ioctl(Ioctl.USBDEVFS_CONTROL, struct);
        } catch (GadgetException e) {
            throw explained(e, String.format("request 0x%02x/0x%02x wValue 0x%04x wIndex 0x%04x", requestType, request,
                    value, index));
        }
    }

    private GadgetException explained(GadgetException e, String what) {
        String why = switch (e.errno()) {
            case EPIPE -> "the device stalled " + what;
            case ETIMEDOUT -> "no answer to " + what + " within the timeout";
            case ENODEV -> "the device was disconnected";
            default -> what;
        };
        return new GadgetException(e.operation(), info.path(), e.errno(), why, e);
    }

    @Override
    public void setConfiguration(int configuration) {
        checkOpen("USBDEVFS_SETCONFIGURATION");
        List<Integer> had;
        synchronized (claimed) {
            had = List.copyOf(claimed);
        }
        for (int i : had) {
            releaseInterface(i);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(ValueLayout.JAVA_INT);
            v.set(ValueLayout.JAVA_INT, 0, configuration);
            fd.ioctl(Ioctl.USBDEVFS_SETCONFIGURATION, v);
        } catch (GadgetException e) {
            throw explained(e, "SET_CONFIGURATION(" + configuration + ")");
        }
        if (configuration != 0) {
            for (int i : had) {
                try {
                    claimInterface(i);
                } catch (GadgetException e) {
                    // not in the new configuration: stays released
                }
            }
        }
    }

    @Override
    public void claimInterface(int interfaceNumber) {
        checkOpen("USBDEVFS_DISCONNECT_CLAIM");
        synchronized (claimed) {
            if (claimed.contains(interfaceNumber)) {
                throw new GadgetException("USBDEVFS_DISCONNECT_CLAIM", info.path(), Errno.EBUSY,
                        "interface " + interfaceNumber + " is already claimed");
            }
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment dc = arena.allocate(UsbfsAbi.DisconnectClaim.LAYOUT);
                UsbfsAbi.DisconnectClaim.set(dc, interfaceNumber, 0);
                fd.ioctl(Ioctl.USBDEVFS_DISCONNECT_CLAIM, dc);
            } catch (GadgetException e) {
                throw new GadgetException("USBDEVFS_DISCONNECT_CLAIM", info.path(), e.errno(), switch (e.errno()) {
                    case EINVAL -> "no interface " + interfaceNumber + " in the active configuration";
                    case EBUSY -> "interface " + interfaceNumber + " is claimed by another process or handle";
                    default -> "interface " + interfaceNumber;
                }, e);
            }
            claimed.add(interfaceNumber);
        }
    }

    @Override
    public void releaseInterface(int interfaceNumber) {
        checkOpen("USBDEVFS_RELEASEINTERFACE");
        synchronized (claimed) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment v = arena.allocate(ValueLayout.JAVA_INT);
                v.set(ValueLayout.JAVA_INT, 0, interfaceNumber);
                fd.ioctl(Ioctl.USBDEVFS_RELEASEINTERFACE, v);
            } catch (GadgetException e) {
                throw new GadgetException("USBDEVFS_RELEASEINTERFACE", info.path(), e.errno(),
                        e.errno() == Errno.EINVAL ? "interface " + interfaceNumber + " is not claimed" : null, e);
            } finally {
                claimed.remove(interfaceNumber);
            }
        }
    }

    @Override
    public void setInterface(int interfaceNumber, int alternateSetting) {
        checkOpen("USBDEVFS_SETINTERFACE");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(UsbfsAbi.SetInterface.LAYOUT);
            UsbfsAbi.SetInterface.set(s, interfaceNumber, alternateSetting);
            fd.ioctl(Ioctl.USBDEVFS_SETINTERFACE, s);
        } catch (GadgetException e) {
            throw explained(e, "SET_INTERFACE(" + interfaceNumber + ", " + alternateSetting + ")");
        }
    }

    @Override
    public int bulk(int endpoint, MemorySegment data, Duration timeout) {
        HostChecks.bulk("USBDEVFS_BULK", info.path(), endpoint, data);
        checkOpen("USBDEVFS_BULK");
        boolean in = (endpoint & 0x80) != 0;
        UsbfsScratch.Set s = scratch.take();
        try {
            MemorySegment buf = s.buffer(data, !in);
            UsbfsAbi.BulkTransfer.set(s.struct(), endpoint & 0xff, buf, data.byteSize(), millis(timeout));
            int n;
            try {
                n = fd.ioctl(Ioctl.USBDEVFS_BULK, s.struct());
            } catch (GadgetException e) {
                throw explained(e, String.format("bulk transfer on endpoint 0x%02x", endpoint & 0xff));
            }
            if (in && buf != data) {
                MemorySegment.copy(buf, 0, data, 0, n);
            }
            return n;
        } finally {
            scratch.give(s);
        }
    }

    @Override
    public IoRequest submitBulk(int endpoint, MemorySegment data, boolean zeroPacket) {
        HostChecks.bulk("USBDEVFS_SUBMITURB", info.path(), endpoint, data);
        boolean in = (endpoint & 0x80) != 0;
        checkOpen("USBDEVFS_SUBMITURB");
        try {
            return urbs.submit(endpoint, data, zeroPacket);
        } catch (GadgetException e) {
            throw explained(e, String.format("URB on endpoint 0x%02x", endpoint & 0xff));
        }
    }

    @Override
    public void clearHalt(int endpoint) {
        checkOpen("USBDEVFS_CLEAR_HALT");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(ValueLayout.JAVA_INT);
            v.set(ValueLayout.JAVA_INT, 0, endpoint & 0xff);
            fd.ioctl(Ioctl.USBDEVFS_CLEAR_HALT, v);
        } catch (GadgetException e) {
            throw explained(e, String.format("CLEAR_FEATURE(ENDPOINT_HALT) on 0x%02x", endpoint & 0xff));
        }
    }

    /** Releases claimed interfaces, discards URBs still in flight, closes the usbfs file. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        urbs.close();
        synchronized (claimed) {
            for (int i : claimed) {
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment v = arena.allocate(ValueLayout.JAVA_INT);
                    v.set(ValueLayout.JAVA_INT, 0, i);
                    fd.ioctl(Ioctl.USBDEVFS_RELEASEINTERFACE, v);
                } catch (GadgetException e) {
                    // disconnected: nothing to release
                }
            }
            claimed.clear();
        }
        try {
            fd.close();
        } finally {
            urbs.closed();
            backend.forget(this);
        }
    }
}
