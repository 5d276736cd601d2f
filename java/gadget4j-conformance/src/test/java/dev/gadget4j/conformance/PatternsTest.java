package dev.gadget4j.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** The bulk fill and check agree with the pattern's definition, {@link Patterns#at}, byte for byte. */
class PatternsTest {
    @Test
    void fill_writesThePatternOfItsSeed_andNothingBeyondTheLength() {
        try (Arena arena = Arena.ofConfined()) {
            for (int seed : new int[] {0, 6, 255, 256 + 3, 16_391, -5}) {
                MemorySegment s = arena.allocate(1500).fill((byte) 0x5a);
                Patterns.fill(s, 1300, seed);
                for (long i = 0; i < 1300; i++) {
                    assertEquals(Patterns.at(i, seed), s.get(ValueLayout.JAVA_BYTE, i), "seed " + seed + " byte " + i);
                }
                for (long i = 1300; i < 1500; i++) {
                    assertEquals((byte) 0x5a, s.get(ValueLayout.JAVA_BYTE, i), "byte " + i + " beyond the length");
                }
            }
        }
    }

    @Test
    void mismatch_findsTheFirstWrongByte_orMinusOne() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(2000);
            Patterns.fill(s, 2000, 9);
            assertEquals(-1, Patterns.mismatch(s, 2000, 9));
            assertEquals(0, Patterns.mismatch(s, 2000, 10));
            s.set(ValueLayout.JAVA_BYTE, 1537, (byte) (Patterns.at(1537, 9) + 1));
            s.set(ValueLayout.JAVA_BYTE, 1800, (byte) (Patterns.at(1800, 9) + 1));
            assertEquals(1537, Patterns.mismatch(s, 2000, 9));
            assertEquals(-1, Patterns.mismatch(s, 1537, 9));
        }
    }
}
