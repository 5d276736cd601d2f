package dev.gadget4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gadget4j.DmaBufSource;
import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import dev.gadget4j.linux.sys.BlockedRead;
import dev.gadget4j.linux.sys.Fd;
import dev.gadget4j.linux.sys.Mapping;
import dev.gadget4j.linux.sys.Memfd;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LinuxDmaBuf and the allocator's source selection, on what needs no udmabuf or DMA heap. */
class LinuxDmaBufHostTest {
    private static final int SIZE = 64 * 1024;

    @TempDir
    Path root;

    /** A buffer over a memfd (the mapping and close logic do not care who exported the fd). */
    private static LinuxDmaBuf memfdBuffer(LinuxBackend backend, SystemFiles files) {
        Fd memfd = Memfd.create("dmabuf-close", SIZE);
        return new LinuxDmaBuf(backend.dmaBufs(), new UdmabufMemory(files), memfd, Mapping.map(memfd, SIZE), SIZE, false);
    }

    @Test
    void closeWhileAnotherThreadsNativeCallUsesTheSegment_EBUSY_andTheBufferStaysWhole() throws Exception {
        FakeSystem files = new FakeSystem(root).kernelReady();
        try (LinuxBackend backend = new LinuxBackend(files)) {
            LinuxDmaBuf buf = memfdBuffer(backend, files);
            MemorySegment seg = buf.segment();
            try (BlockedRead read = BlockedRead.start(seg)) {
                GadgetException e = assertThrows(GadgetException.class, buf::close);
                assertEquals(Errno.EBUSY, e.errno());
                assertEquals("DMABUF fd " + buf.fd(), e.object());
                assertFalse(buf.isClosed());
                assertTrue(buf.fdHandle().isOpen(), "the fd stays open with the mapping");
                seg.set(ValueLayout.JAVA_INT, 64, 5);
                assertEquals(5, buf.segment().get(ValueLayout.JAVA_INT, 64));
            }
            assertEquals(1, seg.get(ValueLayout.JAVA_LONG, 0), "the read landed in the still-mapped buffer");
            buf.close();
            assertTrue(buf.isClosed());
            assertFalse(buf.fdHandle().isOpen());
            assertThrows(IllegalStateException.class, () -> seg.get(ValueLayout.JAVA_BYTE, 0));
            buf.close();
        }
    }

    @Test
    void missingSystemHeap_ENOENT_namesTheKernelOption() {
        FakeSystem files = new FakeSystem(root).kernelReady();
        try (LinuxBackend backend = new LinuxBackend(files)) {
            GadgetException e = assertThrows(GadgetException.class, () -> backend.dmaBufs(DmaBufSource.SYSTEM_HEAP));
            assertEquals(Errno.ENOENT, e.errno());
            assertTrue(e.getMessage().contains("CONFIG_DMABUF_HEAPS_SYSTEM"), e.getMessage());
            assertEquals(files.dmaHeaps().resolve("system").toString(), e.object());
        }
    }

    @Test
    void cmaHeapIsFoundByElimination_orRefusedNamingTheHeapsThereAre() throws Exception {
        FakeSystem files = new FakeSystem(root).kernelReady();
        Files.createDirectories(files.dmaHeaps());
        Files.writeString(files.dmaHeaps().resolve("system"), "");
        try (LinuxBackend backend = new LinuxBackend(files)) {
            GadgetException e = assertThrows(GadgetException.class, () -> backend.dmaBufs(DmaBufSource.CMA_HEAP));
            assertEquals(Errno.ENOENT, e.errno());
            assertTrue(e.getMessage().contains("[system]") && e.getMessage().contains("CONFIG_DMABUF_HEAPS_CMA"),
                    e.getMessage());
            Files.writeString(files.dmaHeaps().resolve("linux,cma"), "");
            assertTrue(backend.dmaBufs(DmaBufSource.CMA_HEAP).toString().contains("linux,cma"));
            assertEquals(Errno.EINVAL, assertThrows(GadgetException.class,
                    () -> backend.dmaBufs(DmaBufSource.SYSTEM_HEAP).allocate(SIZE + 1)).errno());
        }
    }
}
