package dev.gadget4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UsbfsScratchTest {

    @Test
    void concurrentCallsGetDistinctSets_andAFreedSetIsTakenAgain() {
        UsbfsScratch scratch = new UsbfsScratch();
        Set<UsbfsScratch.Set> taken = new HashSet<>();
        for (int i = 0; i < UsbfsScratch.SETS; i++) {
            taken.add(scratch.take());
        }
        assertEquals(UsbfsScratch.SETS, taken.size(), "every call in flight has its own set");
        UsbfsScratch.Set extra = scratch.take();
        assertEquals(false, taken.contains(extra), "all in use: a set of the caller's own");
        scratch.give(extra); // harmless: not one of the device's
        UsbfsScratch.Set one = taken.iterator().next();
        scratch.give(one);
        assertSame(one, scratch.take(), "a given-back set is the next one taken");
    }

    @Test
    void nativeDataIsUsedInPlace_heapDataGoesThroughTheBounceBuffer() {
        UsbfsScratch.Set s = new UsbfsScratch().take();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment nativeData = arena.allocate(64);
            assertSame(nativeData, s.buffer(nativeData, true));
        }
        byte[] heap = new byte[10_000];
        heap[9_999] = 42;
        MemorySegment b = s.buffer(MemorySegment.ofArray(heap), true);
        assertEquals(42, b.get(ValueLayout.JAVA_BYTE, 9_999), "copied in");
        assertSame(b, s.buffer(MemorySegment.ofArray(new byte[100]), false), "the bounce buffer is kept, not made per call");
        assertNotSame(b, s.buffer(MemorySegment.ofArray(new byte[100_000]), false), "grown for a longer transfer");
    }
}
