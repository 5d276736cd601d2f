package dev.gadget4j.linux.sys;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An ASCII prefix of at most 16 bytes, compared against a kernel name field (32 bytes) as two
 * words read in place instead of byte by byte: a transfer's sync_file name is compared once per
 * transfer.
 */
public final class NamePrefix {
    private static final int MAX = 16;
    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED;

    private final long first;
    private final long firstMask;
    private final long second;
    private final long secondMask;

    private NamePrefix(byte[] prefix) {
        byte[] bytes = new byte[MAX];
        byte[] mask = new byte[MAX];
        System.arraycopy(prefix, 0, bytes, 0, prefix.length);
        Arrays.fill(mask, 0, prefix.length, (byte) -1);
        MemorySegment b = MemorySegment.ofArray(bytes);
        MemorySegment m = MemorySegment.ofArray(mask);
        first = b.get(WORD, 0);
        second = b.get(WORD, 8);
        firstMask = m.get(WORD, 0);
        secondMask = m.get(WORD, 8);
    }

    /** {@code prefix}, at most 16 ASCII characters. */
    public static NamePrefix of(String prefix) {
        byte[] b = prefix.getBytes(StandardCharsets.US_ASCII);
        if (b.length > MAX) {
            throw new IllegalArgumentException("a name prefix has at most " + MAX + " bytes: " + prefix);
        }
        return new NamePrefix(b);
    }

    /** Whether the name field at {@code base} of {@code seg} (at least 16 bytes) begins with this prefix. */
    boolean begins(MemorySegment seg, long base) {
        return (seg.get(WORD, base) & firstMask) == first && (seg.get(WORD, base + 8) & secondMask) == second;
    }
}
