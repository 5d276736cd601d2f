package dev.gadget4j.conformance;

import static dev.gadget4j.conformance.ErrnoAssertions.assertErrno;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gadget4j.Backend;
import dev.gadget4j.DmaBuf;
import dev.gadget4j.Errno;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** udmabuf's rules for creating DMABUFs, the CPU mapping and its SYNC brackets. */
class DmaBufAllocationConformanceTest {
    private final Fixture fixture = Fixture.current();

    @Test
    void create_sizeZero_EINVAL() {
        try (Backend b = fixture.open()) {
            assertErrno(Errno.EINVAL, () -> b.dmaBufs().allocate(0));
        }
    }

    @Test
    void create_sizeNotPageAligned_EINVAL() {
        try (Backend b = fixture.open()) {
            assertErrno(Errno.EINVAL, () -> b.dmaBufs().allocate(b.dmaBufs().pageSize() + 1));
        }
    }

    @Test
    void create_beyondSizeLimit_EINVAL() {
        try (Backend b = fixture.open()) {
            assertEquals(64L << 20, b.dmaBufs().maxSize(), "udmabuf's default size_limit_mb");
            assertErrno(Errno.EINVAL, () -> b.dmaBufs().allocate(b.dmaBufs().maxSize() + b.dmaBufs().pageSize()));
        }
    }

    @Test
    void create_atSizeLimit_works_andIsMapped() {
        try (Backend b = fixture.open(); DmaBuf buf = b.dmaBufs().allocate(b.dmaBufs().maxSize())) {
            assertEquals(b.dmaBufs().maxSize(), buf.segment().byteSize());
            buf.write(s -> s.set(ValueLayout.JAVA_BYTE, s.byteSize() - 1, (byte) 42));
            buf.read(s -> assertEquals(42, s.get(ValueLayout.JAVA_BYTE, s.byteSize() - 1)));
        }
    }

    @Test
    void sync_endWithoutStart_EINVAL() {
        try (Backend b = fixture.open(); DmaBuf buf = b.dmaBufs().allocate(4096)) {
            assertErrno(Errno.EINVAL, () -> buf.endCpuAccess(DmaBuf.Access.READ));
        }
    }

    @Test
    void sync_startTwice_EINVAL() {
        try (Backend b = fixture.open(); DmaBuf buf = b.dmaBufs().allocate(4096)) {
            buf.beginCpuAccess(DmaBuf.Access.WRITE);
            assertErrno(Errno.EINVAL, () -> buf.beginCpuAccess(DmaBuf.Access.WRITE));
            assertErrno(Errno.EINVAL, () -> buf.endCpuAccess(DmaBuf.Access.READ));
            buf.endCpuAccess(DmaBuf.Access.WRITE);
        }
    }

    @Test
    void segment_afterClose_isUnusable() {
        try (Backend b = fixture.open()) {
            DmaBuf buf = b.dmaBufs().allocate(4096);
            MemorySegment s = buf.segment();
            buf.close();
            assertTrue(buf.isClosed());
            assertThrows(IllegalStateException.class, () -> s.get(ValueLayout.JAVA_BYTE, 0));
            assertErrno(Errno.EBADF, buf::segment);
        }
    }

    @Test
    void backendClose_closesItsDmaBufs() {
        DmaBuf buf;
        try (Backend b = fixture.open()) {
            buf = b.dmaBufs().allocate(4096);
        }
        assertTrue(buf.isClosed());
    }
}
