package dev.gadget4j;

import dev.gadget4j.descriptor.SetupPacket;

/**
 * An event read from ep0 ({@code struct usb_functionfs_event}).
 *
 * <p>{@link Setup} events must be answered through {@link FunctionFs#reply},
 * {@link FunctionFs#receive}, {@link FunctionFs#acknowledge} or {@link FunctionFs#stall} before
 * the next event is read; the host waits for that answer.
 */
public sealed interface Event {

    /** The kernel's event type number. */
    int type();

    /** The function was bound to a UDC. */
    record Bind() implements Event {
        @Override
        public int type() {
            return 0;
        }
    }

    /** The function was unbound; endpoints are gone until the next BIND and ENABLE. */
    record Unbind() implements Event {
        @Override
        public int type() {
            return 1;
        }
    }

    /** The host selected a configuration (or alternate setting): endpoints are enabled. */
    record Enable() implements Event {
        @Override
        public int type() {
            return 2;
        }
    }

    /** Endpoints were disabled: pending I/O fails with ESHUTDOWN. */
    record Disable() implements Event {
        @Override
        public int type() {
            return 3;
        }
    }

    /** A control request for the function. */
    record Setup(SetupPacket packet) implements Event {
        @Override
        public int type() {
            return 4;
        }
    }

    /** The bus was suspended. */
    record Suspend() implements Event {
        @Override
        public int type() {
            return 5;
        }
    }

    /** The bus resumed. */
    record Resume() implements Event {
        @Override
        public int type() {
            return 6;
        }
    }
}
