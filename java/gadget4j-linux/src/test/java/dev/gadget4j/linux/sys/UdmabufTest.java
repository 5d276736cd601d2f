package dev.gadget4j.linux.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * udmabuf, DMABUF mmap, sync brackets and sync_file export on a real {@code /dev/udmabuf}: runs in
 * the VM tier (or on any machine with the udmabuf module and access to the device), skipped with
 * the reason elsewhere.
 */
@ExtendWith(NoLeaks.class)
class UdmabufTest {
    private static final int PAGE = 4096;
    private static final int SIZE = 1 << 20;

    private Udmabuf udmabuf;

    @BeforeEach
    void openDevice() {
        assumeTrue(Udmabuf.present(), Udmabuf.DEVICE + " does not exist (udmabuf module not loaded): "
                + "these tests run in the VM tier");
        try {
            udmabuf = Udmabuf.open();
        } catch (GadgetException e) {
            assumeTrue(false, "cannot open " + Udmabuf.DEVICE + ": " + e.getMessage() + "; these tests run in the VM tier");
        }
    }

    @AfterEach
    void closeDevice() {
        if (udmabuf != null) {
            udmabuf.close();
        }
    }

    @Test
    void dmabufMapsTheMemfdPagesAndSyncBracketsWork() {
        try (Fd memfd = Memfd.create("udmabuf-test", SIZE);
                Fd dmabuf = udmabuf.create(memfd, 0, SIZE);
                Mapping mapping = Mapping.map(dmabuf, SIZE);
                Arena arena = Arena.ofConfined()) {
            assertEquals(Constants.FD_CLOEXEC, dmabuf.fcntl(Constants.F_GETFD, 0) & Constants.FD_CLOEXEC,
                    "UDMABUF_FLAGS_CLOEXEC");
            MemorySegment seg = mapping.segment();
            DmaBufSync sync = new DmaBufSync(dmabuf, mapping.structs());
            // READ|WRITE in both brackets, as the library passes it to udmabuf: udmabuf maps its
            // table for CPU access with the first bracket's direction and syncs it later with
            // each bracket's own, which a kernel with DMA-API debugging reports as a driver bug.
            sync.start(Constants.DMA_BUF_SYNC_RW);
            for (long i = 0; i < SIZE; i += 8) {
                seg.set(ValueLayout.JAVA_LONG, i, i * 31);
            }
            sync.end(Constants.DMA_BUF_SYNC_RW);
            MemorySegment back = arena.allocate(SIZE);
            assertEquals(SIZE, memfd.pread(back, 0));
            assertEquals(-1, back.mismatch(seg), "the DMABUF shares the memfd's pages");
            sync.start(Constants.DMA_BUF_SYNC_RW);
            assertEquals(31L * 8, seg.get(ValueLayout.JAVA_LONG, 8));
            sync.end(Constants.DMA_BUF_SYNC_RW);
            assertThrows(IllegalArgumentException.class, () -> sync.start(0));
            int both = Constants.POLLIN | Constants.POLLOUT;
            assertEquals(both, Poll.poll(dmabuf, both, 0), "no fences: ready for readers and writers");
        }
    }

    @Test
    void exportWithNoPendingFenceGivesASignaledStub() {
        try (Fd memfd = Memfd.create("sync-file-test", PAGE);
                Fd dmabuf = udmabuf.create(memfd, 0, PAGE);
                Fd syncFile = SyncFile.export(dmabuf, Constants.DMA_BUF_SYNC_RW)) {
            SyncFile.Info info = SyncFile.info(syncFile);
            assertEquals(1, info.status(), info.toString());
            assertTrue(info.signaled());
            assertTrue(info.error().isEmpty());
            assertTrue(info.fences().stream().allMatch(f -> f.status() == 1), info.toString());
            assertEquals(Constants.POLLIN, Poll.poll(syncFile, Constants.POLLIN, 0));
            SyncFile.importInto(dmabuf, syncFile, Constants.DMA_BUF_SYNC_WRITE);
        }
    }

    @Test
    void createListConcatenatesRanges() {
        try (Fd a = Memfd.create("list-a", 2 * PAGE); Fd b = Memfd.create("list-b", PAGE); Arena arena = Arena.ofConfined()) {
            a.pwrite(arena.allocateFrom(ValueLayout.JAVA_INT, 0xaaaa), PAGE);
            b.pwrite(arena.allocateFrom(ValueLayout.JAVA_INT, 0xbbbb), 0);
            try (Fd dmabuf = udmabuf.createList(List.of(new Udmabuf.Item(a, PAGE, PAGE), new Udmabuf.Item(b, 0, PAGE)));
                    Mapping mapping = Mapping.map(dmabuf, 2 * PAGE)) {
                assertEquals(0xaaaa, mapping.segment().get(ValueLayout.JAVA_INT, 0));
                assertEquals(0xbbbb, mapping.segment().get(ValueLayout.JAVA_INT, PAGE));
            }
        }
    }

    @Test
    void memfdWithoutTheShrinkSealIsEinval() {
        try (Fd unsealed = Fd.adopt(Libc.memfdCreate("unsealed", Constants.MFD_CLOEXEC), "memfd:unsealed")) {
            unsealed.truncate(PAGE);
            GadgetException e = assertThrows(GadgetException.class, () -> udmabuf.create(unsealed, 0, PAGE));
            assertEquals(Errno.EINVAL, e.errno());
            assertEquals("UDMABUF_CREATE", e.operation());
            assertEquals(Udmabuf.DEVICE, e.object());
        }
    }

    @Test
    void writeSealedMemfdIsEinval() {
        try (Fd memfd = Memfd.create("write-sealed", PAGE)) {
            Memfd.addSeals(memfd, Constants.F_SEAL_WRITE);
            assertEquals(Errno.EINVAL, assertThrows(GadgetException.class, () -> udmabuf.create(memfd, 0, PAGE)).errno());
        }
    }

    @Test
    void unalignedOrEmptyRangesAreEinval() {
        try (Fd memfd = Memfd.create("unaligned", 2 * PAGE)) {
            assertEquals(Errno.EINVAL, assertThrows(GadgetException.class, () -> udmabuf.create(memfd, 0, 1000)).errno());
            assertEquals(Errno.EINVAL, assertThrows(GadgetException.class, () -> udmabuf.create(memfd, 100, PAGE)).errno());
            assertEquals(Errno.EINVAL, assertThrows(GadgetException.class, () -> udmabuf.create(memfd, 0, 0)).errno());
        }
    }

    /** Any non-shmem file: a tmpfs file would pass that check and fail the seal check (EINVAL) instead. */
    @Test
    void fileThatIsNotShmemIsEbadfd() {
        try (Fd eventFd = Fd.eventfd(0, 0, "eventfd")) {
            assertEquals(Errno.EBADFD, assertThrows(GadgetException.class, () -> udmabuf.create(eventFd, 0, PAGE)).errno());
        }
    }

    @Test
    void closedMemfdNeverReachesTheKernel() {
        Fd memfd = Memfd.create("closed", PAGE);
        memfd.close();
        GadgetException e = assertThrows(GadgetException.class, () -> udmabuf.create(memfd, 0, PAGE));
        assertEquals(Errno.EBADF, e.errno());
        assertFalse(memfd.isOpen());
    }
}
