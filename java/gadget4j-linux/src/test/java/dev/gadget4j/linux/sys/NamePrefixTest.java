package dev.gadget4j.linux.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A prefix compared as two masked words against a 32-byte name field, at an offset as in sync_file_info. */
class NamePrefixTest {
    private static final long AT = 8;

    private static MemorySegment field(Arena arena, String name) {
        MemorySegment seg = arena.allocate(AT + 32);
        seg.fill((byte) 0x55); // what a previous reading may have left beyond the name
        byte[] b = name.getBytes(StandardCharsets.US_ASCII);
        MemorySegment.copy(b, 0, seg, ValueLayout.JAVA_BYTE, AT, b.length);
        seg.set(ValueLayout.JAVA_BYTE, AT + b.length, (byte) 0);
        return seg;
    }

    @Test
    void matchesEveryNameThatBeginsWithIt_andNoOther() {
        NamePrefix p = NamePrefix.of("functionfs-");
        try (Arena arena = Arena.ofConfined()) {
            assertTrue(p.begins(field(arena, "functionfs-12-7"), AT));
            assertTrue(p.begins(field(arena, "functionfs-"), AT));
            assertFalse(p.begins(field(arena, "functionfs"), AT), "the name ends before the prefix does");
            assertFalse(p.begins(field(arena, "functionfx-12-7"), AT), "a byte in the first word");
            assertFalse(p.begins(field(arena, "functionfs_12-7"), AT), "a byte in the second word");
            assertFalse(p.begins(field(arena, "stub-stub0-0"), AT));
            assertFalse(p.begins(field(arena, ""), AT));
        }
    }

    @Test
    void sixteenBytesAtMost() {
        NamePrefix p = NamePrefix.of("0123456789abcdef");
        try (Arena arena = Arena.ofConfined()) {
            assertTrue(p.begins(field(arena, "0123456789abcdefXYZ"), AT));
            assertFalse(p.begins(field(arena, "0123456789abcdeF"), AT));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NamePrefix.of("0123456789abcdefg"));
        assertEquals("a name prefix has at most 16 bytes: 0123456789abcdefg", e.getMessage());
    }
}
