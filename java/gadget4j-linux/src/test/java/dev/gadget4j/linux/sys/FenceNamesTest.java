package dev.gadget4j.linux.sys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which fences of a SYNC_IOC_FILE_INFO reading may be FunctionFS's, on a kernel that reports a
 * signalled fence's own names (6.12) and on one that reports placeholders instead (later
 * mainline), from readings written here the way the kernel lays them out.
 */
class FenceNamesTest {
    private static final long SIZE = DmaBufAbi.SyncFenceInfo.LAYOUT.byteSize();
    private static final long STATUS = CLayouts.offset(DmaBufAbi.SyncFenceInfo.LAYOUT, "status");
    private static final long TIMESTAMP = CLayouts.offset(DmaBufAbi.SyncFenceInfo.LAYOUT, "timestamp_ns");
    private static final long NUM_FENCES = CLayouts.offset(DmaBufAbi.SyncFileInfo.LAYOUT, "num_fences");
    private static final long FILE_STATUS = CLayouts.offset(DmaBufAbi.SyncFileInfo.LAYOUT, "status");
    private static final long STUB_TIME = 1_000_000L;
    private static final int ESHUTDOWN = -108;

    private final FenceScratch s = FenceScratch.current();

    @AfterEach
    void forget() {
        FenceNames.forgetStub();
    }

    /** Writes a reading of {@code fences} fences, each {timeline, driver, status, timestamp}. */
    private void reading(Object[]... fences) {
        s.infoRequest();
        MemorySegment f = s.fences();
        f.fill((byte) 0);
        for (int i = 0; i < fences.length; i++) {
            long base = i * SIZE;
            putName(f, base + DmaBufAbi.SyncFenceInfo.OBJ_NAME_OFFSET, (String) fences[i][0]);
            putName(f, base + DmaBufAbi.SyncFenceInfo.DRIVER_NAME_OFFSET, (String) fences[i][1]);
            f.set(ValueLayout.JAVA_INT, base + STATUS, (int) fences[i][2]);
            f.set(ValueLayout.JAVA_LONG_UNALIGNED, base + TIMESTAMP, (long) fences[i][3]);
        }
        s.info().set(ValueLayout.JAVA_INT, NUM_FENCES, fences.length);
    }

    /** Writes a count-only reading: the file's {@code name}, {@code count} fences, {@code status}. */
    private void statusReading(String name, int count, int status) {
        s.statusRequest();
        s.renameFile(name.getBytes(StandardCharsets.US_ASCII)); // NUL-terminated, as the kernel writes it
        s.info().set(ValueLayout.JAVA_INT, NUM_FENCES, count);
        s.info().set(ValueLayout.JAVA_INT, FILE_STATUS, status);
    }

    private static void putName(MemorySegment f, long at, String name) {
        byte[] b = name.getBytes(StandardCharsets.US_ASCII);
        MemorySegment.copy(b, 0, f, ValueLayout.JAVA_BYTE, at, b.length);
    }

    private static Object[] fence(String timeline, String driver, int status, long at) {
        return new Object[] {timeline, driver, status, at};
    }

    @Test
    void namesShown_onlyFunctionFsNamedFencesCount() {
        reading(fence("stub", "stub", 1, STUB_TIME));
        FenceNames.learnStub(s);
        reading(fence("", "functionfs", 1, 5_000_000L), fence("", "functionfs", 0, 0L),
                fence("gfx", "i915", 1, 6_000_000L), fence("signaled-timeline", "detached-driver", 1, 7_000_000L),
                fence("stub", "stub", 1, STUB_TIME));
        assertTrue(FenceNames.mayBeFunctionFs(s, 0));
        assertTrue(FenceNames.mayBeFunctionFs(s, 1));
        assertFalse(FenceNames.mayBeFunctionFs(s, 2));
        assertFalse(FenceNames.mayBeFunctionFs(s, 3), "this kernel shows names: a placeholder is some driver's own name");
        assertFalse(FenceNames.mayBeFunctionFs(s, 4));
    }

    @Test
    void namesHidden_aSignalledFenceWithThePlaceholdersThatIsNotTheStubCounts() {
        reading(fence("signaled-timeline", "detached-driver", 1, STUB_TIME));
        FenceNames.learnStub(s);
        reading(fence("signaled-timeline", "detached-driver", 1, 5_000_000L),
                fence("signaled-timeline", "detached-driver", ESHUTDOWN, 6_000_000L),
                fence("signaled-timeline", "detached-driver", 1, STUB_TIME),
                fence("", "functionfs", 0, 0L), fence("gfx", "i915", 0, 0L));
        assertTrue(FenceNames.mayBeFunctionFs(s, 0), "a FunctionFS fence that completed");
        assertTrue(FenceNames.mayBeFunctionFs(s, 1), "one that failed");
        assertFalse(FenceNames.mayBeFunctionFs(s, 2), "the stub, by its signal time");
        assertTrue(FenceNames.mayBeFunctionFs(s, 3), "a pending FunctionFS fence keeps its name");
        assertFalse(FenceNames.mayBeFunctionFs(s, 4), "a pending fence of another driver keeps its name");
    }

    @Test
    void namesHidden_theStubsOwnPlaceholdersAreWhatCounts() {
        reading(fence("gone", "renamed-placeholder", 1, STUB_TIME));
        FenceNames.learnStub(s);
        reading(fence("gone", "renamed-placeholder", 1, 5_000_000L),
                fence("signaled-timeline", "detached-driver", 1, 6_000_000L));
        assertTrue(FenceNames.mayBeFunctionFs(s, 0));
        assertFalse(FenceNames.mayBeFunctionFs(s, 1));
    }

    @Test
    void stubUnknown_onlyNamesCount() {
        reading(fence("signaled-timeline", "detached-driver", 1, 5_000_000L), fence("", "functionfs", 1, 6_000_000L));
        assertFalse(FenceNames.stubKnown());
        assertFalse(FenceNames.mayBeFunctionFs(s, 0));
        assertTrue(FenceNames.mayBeFunctionFs(s, 1));
    }

    @Test
    void aReadingThatIsNotTheStubTeachesNothing() {
        reading(fence("", "functionfs", 0, 0L));
        FenceNames.learnStub(s);
        assertFalse(FenceNames.stubKnown());
        reading(fence("a", "x", 1, 1L), fence("b", "y", 1, 2L));
        FenceNames.learnStub(s);
        assertFalse(FenceNames.stubKnown());
    }

    @Test
    void renameSignalled_rewritesTheSignalledFencesOnly() {
        reading(fence("", "functionfs", 1, 5L), fence("", "functionfs", 0, 0L),
                fence("a-much-longer-timeline-name-here", "i915", ESHUTDOWN, 7L));
        s.renameSignalled("detached-driver".getBytes(StandardCharsets.US_ASCII),
                "signaled-timeline".getBytes(StandardCharsets.US_ASCII));
        assertArrayEquals("detached-driver".getBytes(StandardCharsets.US_ASCII), s.fenceDriver(0));
        assertArrayEquals("signaled-timeline".getBytes(StandardCharsets.US_ASCII), s.fenceTimeline(0));
        assertArrayEquals("functionfs".getBytes(StandardCharsets.US_ASCII), s.fenceDriver(1));
        assertArrayEquals(new byte[0], s.fenceTimeline(1));
        assertArrayEquals("detached-driver".getBytes(StandardCharsets.US_ASCII), s.fenceDriver(2));
        assertArrayEquals("signaled-timeline".getBytes(StandardCharsets.US_ASCII), s.fenceTimeline(2),
                "the longer name is gone entirely");
    }

    @Test
    void countOnly_aLoneFenceIsFunctionFsByTheFileName() {
        statusReading("functionfs-12-7", 1, ESHUTDOWN);
        assertTrue(FenceNames.loneFunctionFs(s));
        assertEquals(ESHUTDOWN, s.fileStatus());
        statusReading("functionfs-12-8", 1, 0);
        assertTrue(FenceNames.loneFunctionFs(s), "pending: the kernel names it even where it hides signalled names");
        statusReading("stub-stub1-1", 1, 1);
        assertFalse(FenceNames.loneFunctionFs(s), "the stub: the transfer completed before its export");
        statusReading("i915-gfx3-4", 1, 0);
        assertFalse(FenceNames.loneFunctionFs(s), "another driver's fence");
        statusReading("dma_fence_array-unbound5-1", 2, 0);
        assertFalse(FenceNames.loneFunctionFs(s), "several fences: the array decides");
        statusReading("functionfs-12-9", 1, 1);
        s.renameFile("detached-driver-signaled-timeline".getBytes(StandardCharsets.US_ASCII));
        assertFalse(FenceNames.loneFunctionFs(s), "a signalled fence whose names the kernel hides");
    }

    @Test
    void countOnly_spentOnlyWhereTheKernelShowsSignalledNames() {
        assertTrue(FenceNames.showsSignalledNames(), "stub unknown: try, the full reading follows when it cannot tell");
        reading(fence("stub", "stub", 1, STUB_TIME));
        FenceNames.learnStub(s);
        assertTrue(FenceNames.showsSignalledNames());
        FenceNames.forgetStub();
        reading(fence("signaled-timeline", "detached-driver", 1, STUB_TIME));
        FenceNames.learnStub(s);
        assertFalse(FenceNames.showsSignalledNames());
    }

    @Test
    void countOnly_theStubAloneIsKnownByTheNameItsExportHad() {
        statusReading("stub-stub0-0", 1, 1);
        assertFalse(FenceNames.loneStub(s), "stub unknown: the full reading decides");
        reading(fence("stub", "stub", 1, STUB_TIME));
        FenceNames.learnStub(s);
        statusReading("stub-stub0-0", 1, 1);
        assertFalse(FenceNames.loneStub(s), "its export's file name not read yet");
        FenceNames.learnStubFileName(s);
        assertTrue(FenceNames.loneStub(s));
        statusReading("stub-stub0-01", 1, 1);
        assertFalse(FenceNames.loneStub(s), "the whole name, not a prefix");
        statusReading("functionfs-12-7", 1, 1);
        assertFalse(FenceNames.loneStub(s));
        statusReading("dma_fence_array-unbound5-1", 2, 1);
        assertFalse(FenceNames.loneStub(s), "several fences");
        statusReading("stub-stub0-0", 1, 0);
        assertFalse(FenceNames.loneStub(s), "the stub is signalled: another fence of that name is not it");
    }

    @Test
    void countOnly_theStubIsNeverRecognisedWhereTheKernelHidesSignalledNames() {
        reading(fence("signaled-timeline", "detached-driver", 1, STUB_TIME));
        FenceNames.learnStub(s);
        statusReading("detached-driver-signaled-timeline", 1, 1);
        FenceNames.learnStubFileName(s);
        statusReading("detached-driver-signaled-timeline", 1, 1);
        assertFalse(FenceNames.loneStub(s), "every signalled fence reads so there, a FunctionFS fence too");
    }

    @Test
    void learnStubFileName_onlyFromTheStubsOwnCountOnlyReading() {
        statusReading("stub-stub0-0", 1, 1);
        FenceNames.learnStubFileName(s);
        assertFalse(FenceNames.stubKnown(), "no stub learned from the full reading first");
        reading(fence("stub", "stub", 1, STUB_TIME));
        FenceNames.learnStub(s);
        statusReading("stub-stub0-0", 1, 0);
        FenceNames.learnStubFileName(s);
        statusReading("stub-stub0-0", 1, 1);
        assertFalse(FenceNames.loneStub(s), "a pending fence's reading is not the stub's: nothing was learned");
        statusReading("stub-stub0-0", 2, 1);
        FenceNames.learnStubFileName(s);
        statusReading("stub-stub0-0", 1, 1);
        assertFalse(FenceNames.loneStub(s), "nor one of several fences");
    }
}
