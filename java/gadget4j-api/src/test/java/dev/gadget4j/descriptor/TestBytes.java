package dev.gadget4j.descriptor;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.function.Executable;

/** Byte literals and exception-message checks shared by the descriptor tests. */
final class TestBytes {
    private TestBytes() {
    }

    /** Bytes from ints, so literals can be written as 0xff rather than (byte) 0xff. */
    static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    /** Asserts {@code e} throws IllegalArgumentException whose message contains every fragment. */
    static String rejects(Executable e, String... fragments) {
        String m = assertThrows(IllegalArgumentException.class, e).getMessage();
        for (String f : fragments) {
            assertTrue(m.contains(f), () -> "message \"" + m + "\" lacks \"" + f + "\"");
        }
        return m;
    }

    /** A copy with the little-endian length field at offset 4 updated to the new size. */
    static byte[] resized(byte[] blob, int newLength) {
        byte[] b = Arrays.copyOf(blob, newLength);
        b[4] = (byte) newLength;
        b[5] = (byte) (newLength >> 8);
        return b;
    }
}
