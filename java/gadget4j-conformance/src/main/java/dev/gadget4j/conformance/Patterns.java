package dev.gadget4j.conformance;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Test data: usbtest's pattern 1 ({@code (i % 512) % 63}), offset by a seed so buffers differ.
 * The pattern repeats every {@value #PERIOD} bytes, so buffers are filled and checked a period at
 * a time with bulk copies and compares: byte by byte, a fresh JVM under an emulated CPU spends
 * seconds on each 256 KiB chunk before the JIT compiles the loop, which starves the streams the
 * cases time.
 */
public final class Patterns {
    private static final int PERIOD = 512;
    private static final int SEEDS = 256;
    /** One period of each seed's pattern, seed {@code s} at offset {@code s * PERIOD}. */
    private static final MemorySegment PERIODS = periods();

    private Patterns() {
    }

    public static byte at(long i, int seed) {
        return (byte) (((i % PERIOD) % 63) + seed);
    }

    public static void fill(MemorySegment s, long length, int seed) {
        MemorySegment period = period(seed);
        for (long i = 0; i < length; i += PERIOD) {
            MemorySegment.copy(period, 0, s, i, Math.min(PERIOD, length - i));
        }
    }

    /** -1 if the first {@code length} bytes hold the pattern, else the first wrong offset. */
    public static long mismatch(MemorySegment s, long length, int seed) {
        MemorySegment period = period(seed);
        for (long i = 0; i < length; i += PERIOD) {
            long n = Math.min(PERIOD, length - i);
            long m = MemorySegment.mismatch(s, i, i + n, period, 0, n);
            if (m >= 0) {
                return i + m;
            }
        }
        return -1;
    }

    private static MemorySegment period(int seed) {
        return PERIODS.asSlice((long) Math.floorMod(seed, SEEDS) * PERIOD, PERIOD);
    }

    private static MemorySegment periods() {
        MemorySegment all = Arena.global().allocate((long) SEEDS * PERIOD);
        for (int seed = 0; seed < SEEDS; seed++) {
            for (int i = 0; i < PERIOD; i++) {
                all.set(ValueLayout.JAVA_BYTE, (long) seed * PERIOD + i, at(i, seed));
            }
        }
        return all;
    }
}
