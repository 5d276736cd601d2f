package dev.gadget4j.linux.sys;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds struct layouts the way a C compiler lays structs out, so that the Java side states only
 * the members (as the uapi header does) and the padding follows from the platform's alignments.
 */
final class CLayouts {
    static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT;
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT;
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG;
    /** USB wire fields ({@code __le16}) in packed structs: little-endian on every CPU. */
    static final ValueLayout.OfShort LE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private CLayouts() {
    }

    /** A named member. */
    static MemoryLayout m(String name, MemoryLayout layout) {
        return layout.withName(name);
    }

    /** {@code char name[n]}. */
    static MemoryLayout chars(String name, long n) {
        return MemoryLayout.sequenceLayout(n, ValueLayout.JAVA_BYTE).withName(name);
    }

    /** A C struct with natural alignment: padding inserted before members and at the end. */
    static StructLayout struct(String name, MemoryLayout... members) {
        List<MemoryLayout> out = new ArrayList<>();
        long offset = 0;
        long align = 1;
        for (MemoryLayout member : members) {
            long a = member.byteAlignment();
            long pad = (a - offset % a) % a;
            if (pad > 0) {
                out.add(MemoryLayout.paddingLayout(pad));
                offset += pad;
            }
            out.add(member);
            offset += member.byteSize();
            align = Math.max(align, a);
        }
        long tail = (align - offset % align) % align;
        if (tail > 0) {
            out.add(MemoryLayout.paddingLayout(tail));
        }
        return MemoryLayout.structLayout(out.toArray(MemoryLayout[]::new)).withName(name);
    }

    /** A {@code __attribute__((packed))} struct: no padding, alignment 1. */
    static StructLayout packed(String name, MemoryLayout... members) {
        MemoryLayout[] unaligned = new MemoryLayout[members.length];
        for (int i = 0; i < members.length; i++) {
            unaligned[i] = members[i].withByteAlignment(1);
        }
        return MemoryLayout.structLayout(unaligned).withName(name);
    }

    /** A handle on member {@code name} taking just the segment (base offset 0 bound). */
    static VarHandle field(MemoryLayout layout, String name) {
        VarHandle vh = layout.varHandle(MemoryLayout.PathElement.groupElement(name));
        return MethodHandles.insertCoordinates(vh, 1, 0L);
    }

    /** A NUL-terminated string in a {@code char[max]} member; a full array without NUL is taken whole. */
    static String string(MemorySegment segment, long offset, int max) {
        MemorySegment field = segment.asSlice(offset, max);
        int n = 0;
        while (n < max && field.get(ValueLayout.JAVA_BYTE, n) != 0) {
            n++;
        }
        return new String(field.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }

    /**
     * Zeroes the first {@code layout.byteSize()} bytes of {@code s} (a struct of 8-byte multiple
     * size), word by word: no slice, so nothing is allocated.
     */
    static void zero(MemorySegment s, MemoryLayout layout) {
        for (long at = 0; at < layout.byteSize(); at += Long.BYTES) {
            s.set(ValueLayout.JAVA_LONG_UNALIGNED, at, 0L);
        }
    }

    /** Byte offset of member {@code name}. */
    static long offset(MemoryLayout layout, String name) {
        return layout.byteOffset(MemoryLayout.PathElement.groupElement(name));
    }
}
