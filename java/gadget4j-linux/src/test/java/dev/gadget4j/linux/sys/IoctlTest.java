package dev.gadget4j.linux.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/**
 * Sanity values worked out by hand from kernel-facts.md's table and the uapi headers; the C
 * cross-check compares all of them, this test pins a few even where no compiler is present.
 */
class IoctlTest {

    @Test
    void functionFsAndDmaBufNumbers() {
        assertEquals(0x6701L, Ioctl.FUNCTIONFS_FIFO_STATUS);          // _IO('g', 1)
        assertEquals(0x6703L, Ioctl.FUNCTIONFS_CLEAR_HALT);           // _IO('g', 3)
        assertEquals(0x6780L, Ioctl.FUNCTIONFS_INTERFACE_REVMAP);     // _IO('g', 128)
        assertEquals(0x80096782L, Ioctl.FUNCTIONFS_ENDPOINT_DESC);    // _IOR('g', 130, 9 bytes)
        assertEquals(0x40046783L, Ioctl.FUNCTIONFS_DMABUF_ATTACH);    // _IOW('g', 131, int)
        assertEquals(0x40046784L, Ioctl.FUNCTIONFS_DMABUF_DETACH);
        assertEquals(0x40106785L, Ioctl.FUNCTIONFS_DMABUF_TRANSFER);  // _IOW('g', 133, 16 bytes)
        assertEquals(0x40187542L, Ioctl.UDMABUF_CREATE);              // _IOW('u', 0x42, 24 bytes)
        assertEquals(0x40087543L, Ioctl.UDMABUF_CREATE_LIST);         // _IOW('u', 0x43, 8 bytes)
        assertEquals(0x40086200L, Ioctl.DMA_BUF_IOCTL_SYNC);          // _IOW('b', 0, __u64)
        assertEquals(0xc0086202L, Ioctl.DMA_BUF_IOCTL_EXPORT_SYNC_FILE);
        assertEquals(0x40086203L, Ioctl.DMA_BUF_IOCTL_IMPORT_SYNC_FILE);
        assertEquals(0xc0383e04L, Ioctl.SYNC_IOC_FILE_INFO);          // _IOWR('>', 4, 56 bytes)
    }

    @Test
    void usbfsNumbersOn64Bit() {
        if (ValueLayout.ADDRESS.byteSize() != 8) {
            return;
        }
        assertEquals(0xc0185500L, Ioctl.USBDEVFS_CONTROL);            // 24-byte struct with a pointer
        assertEquals(0xc0185502L, Ioctl.USBDEVFS_BULK);
        assertEquals(0x8038550aL, Ioctl.USBDEVFS_SUBMITURB);          // 56-byte urb
        assertEquals(0x4008550cL, Ioctl.USBDEVFS_REAPURB);            // void *
        assertEquals(0x80045505L, Ioctl.USBDEVFS_SETCONFIGURATION);
        assertEquals(0x5514L, Ioctl.USBDEVFS_RESET);
        assertEquals(0x551fL, Ioctl.USBDEVFS_GET_SPEED);
    }

    @Test
    void structSizes() {
        assertEquals(16, FunctionFsAbi.DmabufTransferReq.LAYOUT.byteSize());
        assertEquals(12, FunctionFsAbi.Event.LAYOUT.byteSize());
        assertEquals(9, FunctionFsAbi.EndpointDescriptor.LAYOUT.byteSize());
        assertEquals(64, IoAbi.Iocb.LAYOUT.byteSize());
        assertEquals(32, IoAbi.IoEvent.LAYOUT.byteSize());
        assertEquals(8, IoAbi.PollFd.LAYOUT.byteSize());
        assertEquals(80, DmaBufAbi.SyncFenceInfo.LAYOUT.byteSize());
        assertEquals(56, DmaBufAbi.SyncFileInfo.LAYOUT.byteSize());
    }

    @Test
    void encodingRejectsOutOfRangeFieldsAndNamesRequests() {
        assertThrows(IllegalArgumentException.class, () -> Ioctl.ioc(Ioctl.READ, 'g', 256, 0));
        assertThrows(IllegalArgumentException.class, () -> Ioctl.ioc(Ioctl.READ, 'g', 1, 1 << 14));
        assertEquals("FUNCTIONFS_DMABUF_TRANSFER", Ioctl.name(Ioctl.FUNCTIONFS_DMABUF_TRANSFER));
        assertEquals("ioctl 0x1234", Ioctl.name(0x1234));
        assertEquals(Ioctl.all().size(), Ioctl.all().values().stream().distinct().count(), "numbers are distinct");
    }

    @Test
    void archDetection() {
        assertEquals(Arch.X86_64, Arch.detect("amd64"));
        assertEquals(Arch.AARCH64, Arch.detect("aarch64"));
        assertEquals(Arch.RISCV64, Arch.detect("riscv64"));
        assertNull(Arch.detect("ppc64le"));
        assertNull(Arch.detect("mips64el"));
    }
}
