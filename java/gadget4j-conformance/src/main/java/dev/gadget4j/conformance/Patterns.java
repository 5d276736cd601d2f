package dev.gadget4j.conformance;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Test data: usbtest's pattern 1 ({@code (i % 512) % 63}), offset by a seed so buffers differ. */
public final class Patterns {
    private Patterns() {
    }

    public static byte at(long i, int seed) {
        return (byte) (((i % 512) % 63) + seed);
    }

    public static void fill(MemorySegment s, long length, int seed) {
        for (long i = 0; i < length; i++) {
            s.set(ValueLayout.JAVA_BYTE, i, at(i, seed));
        }
    }

    /** -1 if the first {@code length} bytes hold the pattern, else the first wrong offset. */
    public static long mismatch(MemorySegment s, long length, int seed) {
        for (long i = 0; i < length; i++) {
            if (s.get(ValueLayout.JAVA_BYTE, i) != at(i, seed)) {
                return i;
            }
        }
        return -1;
    }
}
