package dev.gadget4j.linux.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoLeaks.class)
class MemfdMappingTest {
    private static final int SIZE = 64 * 1024;

    @Test
    void memfdIsSealedAgainstShrinkingOnly() {
        try (Fd memfd = Memfd.create("seals", SIZE)) {
            int seals = Memfd.seals(memfd);
            assertEquals(Constants.F_SEAL_SHRINK, seals, "udmabuf needs SHRINK and refuses WRITE");
            GadgetException e = assertThrows(GadgetException.class, () -> memfd.truncate(SIZE / 2));
            assertEquals(Errno.EPERM, e.errno());
            assertEquals("ftruncate", e.operation());
            memfd.truncate(SIZE * 2); // growing stays allowed
        }
    }

    @Test
    void mappingSharesPagesWithTheFileAndUnmapsOnce() {
        try (Fd memfd = Memfd.create("mapping", SIZE); Arena arena = Arena.ofConfined()) {
            Mapping mapping = Mapping.map(memfd, SIZE);
            MemorySegment seg = mapping.segment();
            assertEquals(SIZE, seg.byteSize());
            assertEquals(1, NoLeaks.ourMappings().stream().filter(l -> l.contains("memfd:mapping")).count());
            seg.set(ValueLayout.JAVA_INT, SIZE - 4, 0x12345678);
            MemorySegment buf = arena.allocate(4);
            memfd.pread(buf, SIZE - 4);
            assertEquals(0x12345678, buf.get(ValueLayout.JAVA_INT, 0));

            MemorySegment slice = seg.asSlice(100, 8);
            mapping.close();
            mapping.close();
            assertFalse(mapping.isMapped());
            assertThrows(IllegalStateException.class, () -> seg.get(ValueLayout.JAVA_BYTE, 0));
            assertThrows(IllegalStateException.class, () -> slice.get(ValueLayout.JAVA_BYTE, 0));
            assertEquals(0, NoLeaks.ourMappings().stream().filter(l -> l.contains("memfd:mapping")).count());
        }
    }

    @Test
    void writeSealIsRefusedWhileASharedWritableMappingExists() {
        try (Fd memfd = Memfd.create("write-seal", SIZE); Mapping mapping = Mapping.map(memfd, SIZE)) {
            GadgetException e = assertThrows(GadgetException.class, () -> Memfd.addSeals(memfd, Constants.F_SEAL_WRITE));
            assertEquals(Errno.EBUSY, e.errno());
            assertEquals("fcntl(F_ADD_SEALS)", e.operation());
            assertTrue(mapping.isMapped());
        }
    }

    @Test
    void confinedMappingIsClosedOnlyByItsThread() throws InterruptedException {
        try (Fd memfd = Memfd.create("confined", SIZE)) {
            Mapping mapping = Mapping.map(memfd, SIZE, 0, Constants.PROT_READ | Constants.PROT_WRITE, false);
            AtomicReference<Throwable> other = new AtomicReference<>();
            Thread t = Thread.ofPlatform().start(() -> {
                try {
                    mapping.close();
                } catch (Throwable x) {
                    other.set(x);
                }
            });
            t.join();
            assertTrue(other.get() instanceof WrongThreadException, String.valueOf(other.get()));
            assertTrue(mapping.isMapped());
            mapping.close();
            assertFalse(mapping.isMapped());
        }
    }

    @Test
    void mmapFailureNamesTheFileAndErrno() {
        try (Fd memfd = Memfd.create("badmap", SIZE)) {
            GadgetException e = assertThrows(GadgetException.class,
                    () -> Mapping.map(memfd, SIZE, 123, Constants.PROT_READ, true));
            assertEquals(Errno.EINVAL, e.errno(), "unaligned offset");
            assertEquals("memfd:badmap", e.object());
        }
    }

    @Test
    void closingWhileANativeCallUsesTheSegmentFailsWithEbusyAndKeepsTheMapping() throws Exception {
        try (Fd memfd = Memfd.create("in-use", SIZE)) {
            Mapping mapping = Mapping.map(memfd, SIZE);
            try (BlockedRead read = BlockedRead.start(mapping.segment())) {
                GadgetException e = assertThrows(GadgetException.class, mapping::close);
                assertEquals(Errno.EBUSY, e.errno());
                assertEquals("munmap", e.operation());
                assertTrue(mapping.isMapped());
                mapping.segment().set(ValueLayout.JAVA_INT, 64, 7);
            }
            assertEquals(1, mapping.segment().get(ValueLayout.JAVA_LONG, 0), "the read landed in the mapping");
            mapping.close();
            assertFalse(mapping.isMapped());
        }
    }
}
