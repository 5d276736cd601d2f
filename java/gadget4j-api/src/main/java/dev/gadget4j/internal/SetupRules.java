package dev.gadget4j.internal;

import dev.gadget4j.Errno;
import dev.gadget4j.Event;
import dev.gadget4j.GadgetException;
import java.util.Objects;

/**
 * ep0's rules for a SETUP handed to the driver: it is answered once, in its direction, before the
 * next event is read; an answer to a SETUP the kernel cancelled (a newer event, or the host gave
 * up and sent another request) fails with EIDRM, as f_fs.c's ep0 read and write do.
 */
public final class SetupRules {
    private SetupRules() {
    }

    /** nextEvent while a SETUP is pending. */
    public static void refuseNextEvent(Event.Setup pending) {
        if (pending != null) {
            throw new IllegalStateException("answer the pending SETUP (" + pending.packet()
                    + ") with reply, receive, acknowledge or stall before reading the next event");
        }
    }

    /** An answer names the SETUP that is pending, in the direction the method answers. */
    public static void answering(Event.Setup pending, Event.Setup setup, boolean wantIn, String method) {
        Objects.requireNonNull(setup, "setup");
        if (pending == null || !pending.equals(setup)) {
            throw new IllegalStateException("no pending SETUP " + setup.packet());
        }
        boolean in = setup.packet().deviceToHost();
        if (in != wantIn) {
            throw new IllegalStateException(method + " answers " + (wantIn ? "device-to-host" : "host-to-device")
                    + " requests; this one is " + (in ? "device-to-host" : "host-to-device"));
        }
    }

    /** EIDRM: the answer came after the kernel cancelled the SETUP. */
    public static GadgetException cancelled(String operation, String ep0, Event.Setup setup, Throwable cause) {
        return new GadgetException(operation, ep0, Errno.EIDRM, "the SETUP " + setup.packet()
                + " was cancelled by a newer event (or the host gave up on it)", cause);
    }
}
