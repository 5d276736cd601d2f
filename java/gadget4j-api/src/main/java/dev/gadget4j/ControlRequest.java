package dev.gadget4j;

import dev.gadget4j.descriptor.SetupPacket;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A SETUP event that answers itself, typed by direction: a device-to-host request ({@link In})
 * can only be replied to or stalled, a host-to-device one ({@link Out}) only received,
 * acknowledged or stalled. Each answers once; a second answer is an {@link IllegalStateException}.
 *
 * <p>The host waits for the answer, and FunctionFS delivers no further event until it is given:
 * code that receives a request and does not know it calls {@link #stall()}, which is also what
 * {@link FunctionFs#awaitEvent} and {@link dev.gadget4j.stream.Ep0} do for a request a handler
 * left unanswered, so a driver that only streams never holds up the host's enumeration.
 */
public abstract sealed class ControlRequest permits ControlRequest.In, ControlRequest.Out {
    private final FunctionFs ffs;
    private final Event.Setup setup;
    private boolean answered;

    private ControlRequest(FunctionFs ffs, Event.Setup setup) {
        this.ffs = Objects.requireNonNull(ffs, "ffs");
        this.setup = Objects.requireNonNull(setup, "setup");
    }

    /** The request of {@code setup}, read from {@code ffs}, by its direction. */
    public static ControlRequest of(FunctionFs ffs, Event.Setup setup) {
        return setup.packet().deviceToHost() ? new In(ffs, setup) : new Out(ffs, setup);
    }

    /** The SETUP packet. */
    public SetupPacket packet() {
        return setup.packet();
    }

    /** The event it came from. */
    public Event.Setup event() {
        return setup;
    }

    /** Whether it has been answered (or stalled). */
    public boolean answered() {
        return answered;
    }

    /** Stalls it: the host sees EPIPE. */
    public void stall() {
        answer();
        ffs.stall(setup);
    }

    /** Stalls it if nothing answered it yet: the default for a request a handler did not take. */
    public void stallUnlessAnswered() {
        if (!answered) {
            stall();
        }
    }

    final FunctionFs ffs() {
        return ffs;
    }

    final void answer() {
        if (answered) {
            throw new IllegalStateException("the control request " + setup.packet() + " was already answered");
        }
        answered = true;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + setup.packet();
    }

    /** A device-to-host request: the function sends up to {@code wLength} bytes. */
    public static final class In extends ControlRequest {
        private In(FunctionFs ffs, Event.Setup setup) {
            super(ffs, setup);
        }

        /** Sends {@code data} (the data stage; at most {@code wLength} bytes reach the host). */
        public void reply(MemorySegment data) {
            answer();
            ffs().reply(event(), data);
        }

        /** Sends {@code data}. */
        public void reply(byte[] data) {
            reply(MemorySegment.ofArray(data));
        }
    }

    /** A host-to-device request: the function receives {@code wLength} bytes (maybe none). */
    public static final class Out extends ControlRequest {
        private Out(FunctionFs ffs, Event.Setup setup) {
            super(ffs, setup);
        }

        /** Receives the data stage into {@code dst} and acknowledges it; returns the byte count. */
        public int receive(MemorySegment dst) {
            answer();
            return ffs().receive(event(), dst);
        }

        /** Receives the data stage ({@code wLength} bytes at most) and acknowledges it. */
        public byte[] receive() {
            byte[] b = new byte[packet().length()];
            int n = receive(MemorySegment.ofArray(b));
            return n == b.length ? b : java.util.Arrays.copyOf(b, n);
        }

        /** Acknowledges a request without a data stage (the status stage). */
        public void acknowledge() {
            answer();
            ffs().acknowledge(event());
        }
    }
}
