package dev.gadget4j.examples.scope;

import static dev.gadget4j.examples.scope.Scope.FRAME;
import static dev.gadget4j.examples.scope.Scope.HEADER;

import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import dev.gadget4j.HostDevice;
import dev.gadget4j.descriptor.Direction;
import dev.gadget4j.descriptor.SetupPacket;
import dev.gadget4j.descriptor.TransferType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

/**
 * The host's side of the scope, on whichever bus the backend has (usbfs on Linux, the simulated
 * host): it sets the period, starts and stops acquisitions with vendor requests, and checks every
 * frame it reads: numbers in order from 0, the period asked for, every sample of the sawtooth,
 * and the end frame after STOP.
 */
final class ScopeHost {
    static final Duration WAIT = Duration.ofSeconds(10);
    /** How long the host listens for data that must not come. */
    private static final Duration QUIET = Duration.ofMillis(200);

    private final HostDevice device;
    private final int in;
    private final MemorySegment frame = Arena.ofAuto().allocate(FRAME);

    ScopeHost(HostDevice device) {
        this.device = device;
        device.claimInterface(0);
        in = device.configuration().interfaceSetting(0, 0).endpoint(Direction.IN, TransferType.BULK)
                .orElseThrow(() -> new IllegalStateException("the scope has no bulk IN endpoint")).address();
    }

    /**
     * One acquisition: SET_PERIOD, START, {@code frames} frames read, SET_PERIOD refused while
     * acquiring, STOP, then the frames still in flight up to the end frame.
     *
     * @return how many frames of samples the acquisition had (at least {@code frames})
     */
    long acquire(int period, int frames) {
        vendor(Scope.SET_PERIOD, period);
        vendor(Scope.START, 0);
        long n = 0;
        for (; n < frames; n++) {
            check(readFrame(n, period), "the acquisition ended at frame " + n + " before STOP");
        }
        try {
            vendor(Scope.SET_PERIOD, period + 1);
            throw new IllegalStateException("SET_PERIOD was accepted while acquiring; it must be stalled");
        } catch (GadgetException e) {
            check(e.errno() == Errno.EPIPE, "SET_PERIOD while acquiring: " + e.getMessage() + ", expected a stall");
        }
        vendor(Scope.STOP, 0);
        while (readFrame(n, period)) {
            n++;
        }
        return n;
    }

    /** Checks that the scope sends nothing while stopped. */
    void expectSilence() {
        try {
            int got = device.bulk(in, frame, QUIET);
            throw new IllegalStateException(got + " bytes arrived while the scope was stopped");
        } catch (GadgetException e) {
            check(e.errno() == Errno.ETIMEDOUT, "reading while stopped: " + e.getMessage());
        }
    }

    /** Reads frame {@code number} and checks it; false for the end frame. */
    private boolean readFrame(long number, int period) {
        int got;
        try {
            got = device.bulk(in, frame, WAIT);
        } catch (GadgetException e) {
            // which frame of which acquisition: a lost frame and a stalled driver read differently
            throw new IllegalStateException("frame " + number + " (period " + period + "): " + e.getMessage(), e);
        }
        check(got >= HEADER, "a frame of " + got + " bytes");
        long n = frame.get(Scope.U64, 0);
        int samples = frame.get(Scope.U32, 8);
        check(n == number, "frame " + n + " arrived where frame " + number + " was expected");
        check(frame.get(Scope.U32, 12) == period, "frame " + n + " has period " + frame.get(Scope.U32, 12));
        if (samples == 0) {
            check(got == HEADER, "the end frame has " + got + " bytes");
            return false;
        }
        check(samples == Scope.SAMPLES && got == FRAME, "frame " + n + ": " + samples + " samples in " + got + " bytes");
        for (int i = 0; i < samples; i++) {
            short expected = Scope.sawtooth(n * Scope.SAMPLES + i, period);
            short actual = frame.getAtIndex(Scope.S16, HEADER / 2 + i);
            check(actual == expected, "frame " + n + " sample " + i + " is " + actual + ", expected " + expected);
        }
        return true;
    }

    private void vendor(int request, int value) {
        device.control(SetupPacket.of(Direction.OUT, SetupPacket.TYPE_VENDOR, SetupPacket.RECIPIENT_INTERFACE,
                request, value, 0, 0), WAIT);
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException(what);
        }
    }
}
