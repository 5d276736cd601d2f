package dev.gadget4j.conformance;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import org.junit.jupiter.api.function.Executable;

/** The suite's one assertion of its own: a call fails with a given errno. */
public final class ErrnoAssertions {
    private ErrnoAssertions() {
    }

    /** Asserts {@code call} fails with {@code errno} and returns the exception. */
    public static GadgetException assertErrno(Errno errno, Executable call) {
        GadgetException e = assertThrows(GadgetException.class, call);
        if (e.errno() != errno) {
            // The exception as the cause: DmaBufCases recognises a DMABUF call the kernel lacks.
            fail("wrong errno, expected " + errno + ": " + e.getMessage(), e);
        }
        return e;
    }
}
