package dev.gadget4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gadget4j.DmaBuf;
import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import java.lang.foreign.MemorySegment;
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
}
