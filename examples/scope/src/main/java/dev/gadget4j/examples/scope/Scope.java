package dev.gadget4j.examples.scope;

import dev.gadget4j.*;
import dev.gadget4j.descriptor.*;
import dev.gadget4j.stream.*;
import java.lang.foreign.*;
import java.nio.ByteOrder;
import java.time.Duration;

/**
 * A streaming scope: while acquiring, it sends frames of 16-bit samples of a sawtooth on a bulk
 * IN endpoint. Vendor requests to its interface start and stop acquisition and set the
 * sawtooth's period. A frame (little-endian): its number in the acquisition (u64), how many
 * samples it holds (u32), the period (u32), the samples; STOP ends the acquisition with a frame
 * of no samples whose number is the count of frames sent.
 */
public final class Scope implements AutoCloseable {
    public static final int VENDOR = 0x1209, PRODUCT = 0x0002;
    public static final int START = 1, STOP = 2, SET_PERIOD = 3;
    public static final int FRAME = 16 * 1024, HEADER = 16, SAMPLES = (FRAME - HEADER) / 2;
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort S16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private boolean acquiring, ending, closed;
    private int period = 100;
    private long frame, sample;

    /** Serves the gadget on {@code backend} until {@link #close()}. */
    public void run(Backend backend) {
        UsbFunction.Builder f = UsbFunction.builder("scope");
        FunctionEndpoint samples = f.addInterface(InterfaceClass.VENDOR, "scope").bulkIn();
        UsbFunction scope = f.build();
        try (Gadget gadget = backend.createGadget(GadgetSpec.builder().name("scope").vendorId(VENDOR)
                .productId(PRODUCT).product("gadget4j scope").function(scope).build());
             Ep0 ep0 = Ep0.serve(gadget.start(scope), this::control);
             InStream in = InStream.on(ep0, samples.fileNumber()).bufferSize(FRAME).depth(4)
                     .dmaBufs(backend.dmaBufs()).listener(System.out::println).open()) {
            gadget.bind();
            while (awaitWork()) {
                in.send(this::fill, Duration.ofMillis(100));
            }
            System.out.println("scope: " + in.path() + " path, " + in.pathReason());
        }
    }

    /** On ep0's thread; a request left unanswered is stalled. */
    private synchronized void control(ControlRequest request) {
        SetupPacket p = request.packet();
        if (p.type() != SetupPacket.TYPE_VENDOR || !(request instanceof ControlRequest.Out out)) {
            return;
        }
        switch (p.request()) {
            case START -> acquiring = true;
            case STOP -> {
                ending |= acquiring;
                acquiring = false;
            }
            case SET_PERIOD -> {
                if (acquiring || p.value() < 2) {
                    return;
                }
                period = p.value();
            }
            default -> {
                return;
            }
        }
        out.acknowledge();
        notifyAll();
    }

    private synchronized boolean awaitWork() {
        while (!closed && !acquiring && !ending) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return !closed;
    }

    /** Writes the next frame into {@code buf}: samples while acquiring, the end frame after STOP. */
    private synchronized int fill(MemorySegment buf) {
        int n = ending ? 0 : SAMPLES;
        buf.set(U64, 0, frame++);
        buf.set(U32, 8, n);
        buf.set(U32, 12, period);
        for (int i = 0; i < n; i++) {
            buf.setAtIndex(S16, HEADER / 2 + i, sawtooth(sample++, period));
        }
        if (ending) {
            ending = false;
            frame = sample = 0;
        }
        return HEADER + 2 * n;
    }

    /** Sample {@code i} of an acquisition: a ramp from -32768 to 32767 over {@code period} samples. */
    public static short sawtooth(long i, int period) {
        return (short) (i % period * 65535 / (period - 1) - 32768);
    }

    @Override
    public synchronized void close() {
        closed = true;
        notifyAll();
    }
}
