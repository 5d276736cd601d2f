package dev.gadget4j.internal;

import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;

/** A FunctionFS instance's checks on ep0 and on opening endpoint files. */
public final class FunctionChecks {
    private FunctionChecks() {
    }

    /** EBADF once ep0 is closed. */
    public static void open(boolean closed, String operation, String ep0) {
        if (closed) {
            throw new GadgetException(operation, ep0, Errno.EBADF, "ep0 is closed");
        }
    }

    /** Descriptors and strings are written once. */
    public static void notStarted(boolean started, String ep0) {
        if (started) {
            throw new GadgetException("write", ep0, Errno.EBUSY, "descriptors and strings were already written");
        }
    }

    /** ENOENT for an endpoint file that does not exist (yet): {@code count} is -1 before start. */
    public static void endpointExists(int number, int count, String path) {
        if (count < 0 || number < 1 || number > count) {
            throw new GadgetException("open", path, Errno.ENOENT, count < 0
                    ? "endpoint files appear once descriptors and strings are written"
                    : "the function has endpoints ep1..ep" + count);
        }
    }
}
