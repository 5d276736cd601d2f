package dev.gadget4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gadget4j.DmaBuf;
import dev.gadget4j.DmaBufAllocator;
import dev.gadget4j.DmaBufSource;
import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The udmabuf allocator on the real kernel, without a UDC: allocation, the mapping, SYNC brackets
 * and poll. Runs wherever /dev/udmabuf can be opened (the VM tier), skips visibly elsewhere.
 */
class LinuxDmaBufVmTest {
    private static LinuxBackend backend() {
        Path dev = Path.of("/dev/udmabuf");
        assumeTrue(Files.isReadable(dev) && Files.isWritable(dev), "no usable /dev/udmabuf on this machine");
        return new LinuxBackend(SystemFiles.real());
    }

    @Test
    void allocate_map_bracket_poll_close() {
        try (LinuxBackend b = backend()) {
            long page = b.dmaBufs().pageSize();
            DmaBuf buf = b.dmaBufs().allocate(4 * page);
            buf.write(s -> s.set(ValueLayout.JAVA_BYTE, 4 * page - 1, (byte) 7));
            buf.read(s -> assertEquals(7, s.get(ValueLayout.JAVA_BYTE, 4 * page - 1)));
            assertTrue(buf.poll(DmaBuf.Readiness.WRITABLE, Duration.ZERO), "nothing in flight");
            assertEquals(Errno.EINVAL, assertThrows(GadgetException.class, () -> buf.endCpuAccess(DmaBuf.Access.READ)).errno());
            MemorySegment s = buf.segment();
            buf.close();
            assertThrows(IllegalStateException.class, () -> s.get(ValueLayout.JAVA_BYTE, 0));
        }
    }

    @Test
    void kernelRulesOnSizes_EINVAL_explained() {
        try (LinuxBackend b = backend()) {
            long page = b.dmaBufs().pageSize();
            GadgetException e = assertThrows(GadgetException.class, () -> b.dmaBufs().allocate(page + 1));
            assertEquals(Errno.EINVAL, e.errno());
            assertTrue(e.getMessage().contains("page size"), e.getMessage());
            assertEquals(Errno.EINVAL, assertThrows(GadgetException.class, () -> b.dmaBufs().allocate(0)).errno());
        }
    }

    private static DmaBufAllocator systemHeap(LinuxBackend b) {
        Path dev = Path.of("/dev/dma_heap/system");
        assumeTrue(Files.isReadable(dev), "no /dev/dma_heap/system on this machine (CONFIG_DMABUF_HEAPS_SYSTEM)");
        return b.dmaBufs(DmaBufSource.SYSTEM_HEAP);
    }

    @Test
    void systemHeap_allocate_map_bracket_poll_close_withUdmabufsSizeRules() {
        try (LinuxBackend b = backend()) {
            DmaBufAllocator heap = systemHeap(b);
            long page = heap.pageSize();
            assertEquals(64L << 20, heap.maxSize());
            DmaBuf buf = heap.allocate(4 * page);
            buf.write(s -> s.set(ValueLayout.JAVA_BYTE, 4 * page - 1, (byte) 9));
            buf.read(s -> assertEquals(9, s.get(ValueLayout.JAVA_BYTE, 4 * page - 1)));
            assertTrue(buf.poll(DmaBuf.Readiness.WRITABLE, Duration.ZERO), "nothing in flight");
            GadgetException e = assertThrows(GadgetException.class, () -> heap.allocate(page + 1));
            assertEquals(Errno.EINVAL, e.errno());
            assertEquals("DMA_HEAP_IOCTL_ALLOC", e.operation());
            assertEquals(Errno.EINVAL, assertThrows(GadgetException.class, () -> heap.allocate(0)).errno());
            buf.close();
            assertTrue(buf.isClosed());
        }
    }

    /** A CPU-access bracket allocates nothing once compiled: the SYNC struct belongs to the buffer. */
    @Test
    void cpuAccessBracketAllocatesNothing() {
        try (LinuxBackend b = backend()) {
            bracketsAllocateNothing(b.dmaBufs().allocate(b.dmaBufs().pageSize()));
            if (Files.isReadable(Path.of("/dev/dma_heap/system"))) {
                bracketsAllocateNothing(b.dmaBufs(DmaBufSource.SYSTEM_HEAP).allocate(b.dmaBufs().pageSize()));
            }
        }
    }

    private static void fill(long[] counter, MemorySegment s) {
        s.set(ValueLayout.JAVA_LONG, 0, ++counter[0]);
    }

    /**
     * Steady state, not warm-up: the brackets run in rounds of 10000 until one round allocates
     * (almost) nothing, at most 60 rounds: until C2 has compiled the bracket, each of its two
     * ioctls allocates 40 bytes in the JDK (the capture-state check slices the errno segment),
     * and under emulation, with the tests before this one queued for the compiler, C2 may come
     * late (once every round of 20 allocated 80 bytes per bracket). Before the
     * SYNC struct was owned by the buffer, every bracket allocated an arena and two ioctl
     * lambdas, over 200 bytes, in every round. The failure lists each round's bytes: 800000
     * (80 per bracket) in each means C2's code never ran, any other steady number that it
     * allocates.
     */
    private static void bracketsAllocateNothing(DmaBuf buf) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] counter = {0};
        long least = Long.MAX_VALUE;
        StringBuilder rounds = new StringBuilder();
        for (int round = 0; round < 60 && least >= 1_000; round++) {
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 10_000; i++) {
                buf.write(counter, LinuxDmaBufVmTest::fill);
            }
            long bytes = mx.getCurrentThreadAllocatedBytes() - before;
            least = Math.min(least, bytes);
            rounds.append(' ').append(bytes);
        }
        buf.close();
        assertTrue(least < 1_000, "the least a round of 10000 WRITE brackets allocated was " + least + " bytes, on "
                + buf + "; rounds:" + rounds);
    }
}
