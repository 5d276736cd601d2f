package dev.gadget4j.linux.sys;

/**
 * Flag and command values of libc and the uapi headers, by their C names.
 *
 * <p>Only values that are the same on every {@link Arch} are here ({@code O_DIRECT} and
 * {@code O_DIRECTORY}, which differ between x86 and arm64, are left out on purpose). The layout
 * cross-check prints every one of these from the C headers and compares.
 */
public final class Constants {
    private Constants() {
    }

    // fcntl.h
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    public static final int O_TRUNC = 01000;
    public static final int O_APPEND = 02000;
    public static final int O_NONBLOCK = 04000;
    public static final int O_CLOEXEC = 02000000;
    public static final int F_GETFD = 1;
    public static final int F_SETFD = 2;
    public static final int F_GETFL = 3;
    public static final int F_SETFL = 4;
    public static final int FD_CLOEXEC = 1;
    public static final int F_ADD_SEALS = 1033;
    public static final int F_GET_SEALS = 1034;
    public static final int F_SEAL_SEAL = 0x1;
    public static final int F_SEAL_SHRINK = 0x2;
    public static final int F_SEAL_GROW = 0x4;
    public static final int F_SEAL_WRITE = 0x8;
    public static final int F_SEAL_FUTURE_WRITE = 0x10;

    // sys/mman.h
    public static final int MFD_CLOEXEC = 1;
    public static final int MFD_ALLOW_SEALING = 2;
    public static final int PROT_NONE = 0;
    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int MAP_SHARED = 1;
    public static final int MAP_PRIVATE = 2;

    // poll.h
    public static final int POLLIN = 0x1;
    public static final int POLLPRI = 0x2;
    public static final int POLLOUT = 0x4;
    public static final int POLLERR = 0x8;
    public static final int POLLHUP = 0x10;
    public static final int POLLNVAL = 0x20;

    // sys/eventfd.h
    public static final int EFD_SEMAPHORE = 1;
    public static final int EFD_NONBLOCK = 04000;
    public static final int EFD_CLOEXEC = 02000000;

    // sys/mount.h
    public static final long MS_RDONLY = 1;
    public static final long MS_NOSUID = 2;
    public static final long MS_NODEV = 4;
    public static final long MS_NOEXEC = 8;
    public static final int MNT_FORCE = 1;
    public static final int MNT_DETACH = 2;
    public static final int UMOUNT_NOFOLLOW = 8;

    // linux/aio_abi.h
    public static final int IOCB_CMD_PREAD = 0;
    public static final int IOCB_CMD_PWRITE = 1;
    public static final int IOCB_CMD_FSYNC = 2;
    public static final int IOCB_CMD_FDSYNC = 3;
    public static final int IOCB_CMD_POLL = 5;
    public static final int IOCB_CMD_NOOP = 6;
    public static final int IOCB_CMD_PREADV = 7;
    public static final int IOCB_CMD_PWRITEV = 8;
    public static final int IOCB_FLAG_RESFD = 1;

    // linux/udmabuf.h, linux/dma-buf.h
    public static final int UDMABUF_FLAGS_CLOEXEC = 1;
    public static final int DMA_BUF_SYNC_READ = 1;
    public static final int DMA_BUF_SYNC_WRITE = 2;
    public static final int DMA_BUF_SYNC_RW = 3;
    public static final int DMA_BUF_SYNC_START = 0;
    public static final int DMA_BUF_SYNC_END = 4;

    // linux/usb/functionfs.h: enum usb_functionfs_event_type
    public static final int FUNCTIONFS_BIND = 0;
    public static final int FUNCTIONFS_UNBIND = 1;
    public static final int FUNCTIONFS_ENABLE = 2;
    public static final int FUNCTIONFS_DISABLE = 3;
    public static final int FUNCTIONFS_SETUP = 4;
    public static final int FUNCTIONFS_SUSPEND = 5;
    public static final int FUNCTIONFS_RESUME = 6;

    // linux/usbdevice_fs.h
    public static final int USBDEVFS_URB_SHORT_NOT_OK = 0x01;
    public static final int USBDEVFS_URB_ISO_ASAP = 0x02;
    public static final int USBDEVFS_URB_BULK_CONTINUATION = 0x04;
    public static final int USBDEVFS_URB_ZERO_PACKET = 0x40;
    public static final int USBDEVFS_URB_NO_INTERRUPT = 0x80;
    public static final int USBDEVFS_URB_TYPE_ISO = 0;
    public static final int USBDEVFS_URB_TYPE_INTERRUPT = 1;
    public static final int USBDEVFS_URB_TYPE_CONTROL = 2;
    public static final int USBDEVFS_URB_TYPE_BULK = 3;
    public static final int USBDEVFS_CAP_ZERO_PACKET = 0x01;
    public static final int USBDEVFS_CAP_BULK_CONTINUATION = 0x02;
    public static final int USBDEVFS_CAP_NO_PACKET_SIZE_LIM = 0x04;
    public static final int USBDEVFS_CAP_BULK_SCATTER_GATHER = 0x08;
    public static final int USBDEVFS_CAP_REAP_AFTER_DISCONNECT = 0x10;
    public static final int USBDEVFS_CAP_MMAP = 0x20;
    public static final int USBDEVFS_CAP_DROP_PRIVILEGES = 0x40;
    public static final int USBDEVFS_CAP_CONNINFO_EX = 0x80;
    public static final int USBDEVFS_CAP_SUSPEND = 0x100;
    public static final int USBDEVFS_DISCONNECT_CLAIM_IF_DRIVER = 0x01;
    public static final int USBDEVFS_DISCONNECT_CLAIM_EXCEPT_DRIVER = 0x02;
}
