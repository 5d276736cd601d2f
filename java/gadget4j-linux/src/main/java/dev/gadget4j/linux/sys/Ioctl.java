package dev.gadget4j.linux.sys;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * ioctl request numbers, computed from the generic {@code _IOC(dir, type, nr, size)} encoding of
 * {@code asm-generic/ioctl.h} with sizes taken from this package's layouts, so a layout that is
 * wrong also makes the number wrong, and the cross-check against the C headers catches both.
 *
 * <p>The generic encoding (nr bits 0-7, type 8-15, size 16-29, direction 30-31 with write = 1 and
 * read = 2) is that of x86, arm, arm64 and riscv. Class initialisation fails with the reason from
 * {@link Arch#current()} elsewhere (powerpc, mips, sparc and alpha use other bit widths).
 */
public final class Ioctl {
    static final int NRBITS = 8;
    static final int TYPEBITS = 8;
    static final int SIZEBITS = 14;
    static final int NRSHIFT = 0;
    static final int TYPESHIFT = NRSHIFT + NRBITS;
    static final int SIZESHIFT = TYPESHIFT + TYPEBITS;
    static final int DIRSHIFT = SIZESHIFT + SIZEBITS;
    /** {@code _IOC_NONE}, {@code _IOC_WRITE}, {@code _IOC_READ}. */
    static final int NONE = 0;
    static final int WRITE = 1;
    static final int READ = 2;

    static {
        Arch.current();
    }

    private Ioctl() {
    }

    /** {@code _IOC(dir, type, nr, size)}; the result is an unsigned long, never sign-extended. */
    static long ioc(int dir, char type, int nr, long size) {
        if (type > 0xff || nr < 0 || nr > 0xff || size < 0 || size >= 1L << SIZEBITS) {
            throw new IllegalArgumentException("ioctl field out of range: type " + (int) type + " nr " + nr + " size " + size);
        }
        return ((long) dir << DIRSHIFT) | ((long) type << TYPESHIFT) | ((long) nr << NRSHIFT) | (size << SIZESHIFT);
    }

    static long io(char type, int nr) {
        return ioc(NONE, type, nr, 0);
    }

    static long ior(char type, int nr, MemoryLayout arg) {
        return ioc(READ, type, nr, arg.byteSize());
    }

    static long iow(char type, int nr, MemoryLayout arg) {
        return ioc(WRITE, type, nr, arg.byteSize());
    }

    static long iowr(char type, int nr, MemoryLayout arg) {
        return ioc(READ | WRITE, type, nr, arg.byteSize());
    }

    // linux/usb/functionfs.h
    public static final long FUNCTIONFS_FIFO_STATUS = io('g', 1);
    public static final long FUNCTIONFS_FIFO_FLUSH = io('g', 2);
    public static final long FUNCTIONFS_CLEAR_HALT = io('g', 3);
    public static final long FUNCTIONFS_INTERFACE_REVMAP = io('g', 128);
    public static final long FUNCTIONFS_ENDPOINT_REVMAP = io('g', 129);
    public static final long FUNCTIONFS_ENDPOINT_DESC = ior('g', 130, FunctionFsAbi.EndpointDescriptor.LAYOUT);
    public static final long FUNCTIONFS_DMABUF_ATTACH = iow('g', 131, ValueLayout.JAVA_INT);
    public static final long FUNCTIONFS_DMABUF_DETACH = iow('g', 132, ValueLayout.JAVA_INT);
    public static final long FUNCTIONFS_DMABUF_TRANSFER = iow('g', 133, FunctionFsAbi.DmabufTransferReq.LAYOUT);

    // linux/udmabuf.h
    public static final long UDMABUF_CREATE = iow('u', 0x42, DmaBufAbi.UdmabufCreate.LAYOUT);
    public static final long UDMABUF_CREATE_LIST = iow('u', 0x43, DmaBufAbi.UdmabufCreateList.LAYOUT);

    // linux/dma-heap.h
    public static final long DMA_HEAP_IOCTL_ALLOC = iowr('H', 0, DmaBufAbi.HeapAllocationData.LAYOUT);

    // linux/dma-buf.h, linux/sync_file.h
    public static final long DMA_BUF_IOCTL_SYNC = iow('b', 0, DmaBufAbi.Sync.LAYOUT);
    public static final long DMA_BUF_IOCTL_EXPORT_SYNC_FILE = iowr('b', 2, DmaBufAbi.ExportSyncFile.LAYOUT);
    public static final long DMA_BUF_IOCTL_IMPORT_SYNC_FILE = iow('b', 3, DmaBufAbi.ImportSyncFile.LAYOUT);
    public static final long SYNC_IOC_FILE_INFO = iowr('>', 4, DmaBufAbi.SyncFileInfo.LAYOUT);

    // linux/usbdevice_fs.h (the header's R/W naming is from the kernel's point of view, kept as is)
    public static final long USBDEVFS_CONTROL = iowr('U', 0, UsbfsAbi.CtrlTransfer.LAYOUT);
    public static final long USBDEVFS_BULK = iowr('U', 2, UsbfsAbi.BulkTransfer.LAYOUT);
    public static final long USBDEVFS_RESETEP = ior('U', 3, ValueLayout.JAVA_INT);
    public static final long USBDEVFS_SETINTERFACE = ior('U', 4, UsbfsAbi.SetInterface.LAYOUT);
    public static final long USBDEVFS_SETCONFIGURATION = ior('U', 5, ValueLayout.JAVA_INT);
    public static final long USBDEVFS_GETDRIVER = iow('U', 8, UsbfsAbi.GetDriver.LAYOUT);
    public static final long USBDEVFS_SUBMITURB = ior('U', 10, UsbfsAbi.Urb.LAYOUT);
    public static final long USBDEVFS_DISCARDURB = io('U', 11);
    public static final long USBDEVFS_REAPURB = iow('U', 12, ValueLayout.ADDRESS);
    public static final long USBDEVFS_REAPURBNDELAY = iow('U', 13, ValueLayout.ADDRESS);
    public static final long USBDEVFS_CLAIMINTERFACE = ior('U', 15, ValueLayout.JAVA_INT);
    public static final long USBDEVFS_RELEASEINTERFACE = ior('U', 16, ValueLayout.JAVA_INT);
    public static final long USBDEVFS_CONNECTINFO = iow('U', 17, UsbfsAbi.ConnectInfo.LAYOUT);
    public static final long USBDEVFS_IOCTL = iowr('U', 18, UsbfsAbi.IoctlReq.LAYOUT);
    public static final long USBDEVFS_RESET = io('U', 20);
    public static final long USBDEVFS_CLEAR_HALT = ior('U', 21, ValueLayout.JAVA_INT);
    public static final long USBDEVFS_DISCONNECT = io('U', 22);
    public static final long USBDEVFS_CONNECT = io('U', 23);
    public static final long USBDEVFS_GET_CAPABILITIES = ior('U', 26, ValueLayout.JAVA_INT);
    public static final long USBDEVFS_DISCONNECT_CLAIM = ior('U', 27, UsbfsAbi.DisconnectClaim.LAYOUT);
    public static final long USBDEVFS_GET_SPEED = io('U', 31);

    private static final Map<String, Long> BY_NAME;
    /** Request numbers and their names, side by side: looked up without boxing on every ioctl. */
    private static final long[] CODES;
    private static final String[] CODE_NAMES;

    static {
        Map<String, Long> byName = new LinkedHashMap<>();
        Map<Long, String> names = new HashMap<>();
        for (Field f : Ioctl.class.getDeclaredFields()) {
            int mod = f.getModifiers();
            if (Modifier.isPublic(mod) && Modifier.isStatic(mod) && f.getType() == long.class) {
                try {
                    byName.put(f.getName(), f.getLong(null));
                    names.putIfAbsent(f.getLong(null), f.getName());
                } catch (IllegalAccessException e) {
                    throw new AssertionError(e);
                }
            }
        }
        BY_NAME = Collections.unmodifiableMap(byName);
        CODES = names.keySet().stream().mapToLong(Long::longValue).toArray();
        CODE_NAMES = new String[CODES.length];
        for (int i = 0; i < CODES.length; i++) {
            CODE_NAMES[i] = names.get(CODES[i]);
        }
    }

    /** Every request number here by its C name, in declaration order. */
    public static Map<String, Long> all() {
        return BY_NAME;
    }

    /** The C name of a request number, for messages; {@code ioctl 0x...} when unknown. */
    public static String name(long request) {
        for (int i = 0; i < CODES.length; i++) {
            if (CODES[i] == request) {
                return CODE_NAMES[i];
            }
        }
        return "ioctl 0x" + Long.toHexString(request);
    }
}
