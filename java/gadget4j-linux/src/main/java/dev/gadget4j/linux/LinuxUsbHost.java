package dev.gadget4j.linux;

import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import dev.gadget4j.HostDevice;
import dev.gadget4j.Speed;
import dev.gadget4j.UsbDeviceInfo;
import dev.gadget4j.UsbHost;
import dev.gadget4j.linux.sys.Constants;
import dev.gadget4j.linux.sys.Fd;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The usbfs host side: devices are the nodes under {@code /dev/bus/usb/BBB/DDD} (devtmpfs), their
 * descriptors read from the node itself (usbfs returns the device descriptor followed by every
 * configuration's full descriptor set), the speed from sysfs ({@code /sys/bus/usb/devices}).
 */
final class LinuxUsbHost implements UsbHost {
    private static final long POLL_MILLIS = 50;

    private final LinuxBackend backend;
    private final SystemFiles files;

    LinuxUsbHost(LinuxBackend backend, SystemFiles files) {
        this.backend = backend;
        this.files = files;
    }

    @Override
    public List<UsbDeviceInfo> devices() {
        List<UsbDeviceInfo> out = new ArrayList<>();
        for (String bus : files.list(files.usbDevices())) {
            for (String dev : files.list(files.usbDevices().resolve(bus))) {
                Path node = files.usbDevices().resolve(bus).resolve(dev);
                try {
                    int b = Integer.parseInt(bus);
                    int d = Integer.parseInt(dev);
                    byte[] desc = readDescriptors(node.toString(), Constants.O_RDONLY);
                    if (desc.length < 18) {
                        continue;
                    }
                    out.add(new UsbDeviceInfo(b, d, u16(desc, 8), u16(desc, 10), speed(b, d), node.toString()));
                } catch (NumberFormatException | GadgetException e) {
                    // not a device node, or it went away while we looked
                }
            }
        }
        return out;
    }

    static int u16(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8;
    }

    /** The usbfs descriptor stream: device descriptor, then each configuration's full set. */
    static byte[] readDescriptors(String node, int flags) {
        try (Fd fd = Fd.open(node, flags)) {
            return readDescriptors(fd);
        }
    }

    static byte[] readDescriptors(Fd fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(4096);
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            long offset = 0;
            while (true) {
                long n = fd.pread(buf, offset);
                if (n <= 0) {
                    break;
                }
                out.write(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), 0, (int) n);
                offset += n;
            }
            return out.toByteArray();
        }
    }

    /** The speed sysfs reports for bus {@code bus}, device {@code dev} ({@code speed} in Mbit/s). */
    Speed speed(int bus, int dev) {
        Path devices = files.resolve("/sys/bus/usb/devices");
        for (String name : files.list(devices)) {
            Path d = devices.resolve(name);
            String b = files.readOrNull(d.resolve("busnum"));
            String n = files.readOrNull(d.resolve("devnum"));
            if (b != null && n != null && b.equals(Integer.toString(bus)) && n.equals(Integer.toString(dev))) {
                String s = files.readOrNull(d.resolve("speed"));
                return speedOf(s);
            }
        }
        return Speed.FULL;
    }

    static Speed speedOf(String mbits) {
        if (mbits == null) {
            return Speed.FULL;
        }
        return switch (mbits) {
            case "480" -> Speed.HIGH;
            case "5000", "10000", "20000" -> Speed.SUPER;
            default -> Speed.FULL;
        };
    }

    @Override
    public HostDevice open(int vendorId, int productId, Duration timeout) {
        backend.checkOpen("open (host)");
        String what = String.format("USB device %04x:%04x", vendorId, productId);
        long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
        GadgetException last = null;
        while (true) {
            for (UsbDeviceInfo info : devices()) {
                if (info.vendorId() == vendorId && info.productId() == productId) {
                    try {
                        return backend.register(LinuxHostDevice.open(backend, info));
                    } catch (GadgetException e) {
                        last = e; // still settling (node permissions, re-enumeration): retry
                    }
                }
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new GadgetException("open (host)", what, Errno.ETIMEDOUT,
                        "not enumerated in " + files.usbDevices() + " within " + timeout
                                + (last == null ? "" : " (last attempt: " + last.getMessage() + ")"));
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new GadgetException("open (host)", what, Errno.EINTR, "interrupted");
            }
        }
    }
}
