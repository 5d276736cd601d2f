package dev.gadget4j.conformance.fuzz;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * One step of a fuzzed sequence: what to do, on which endpoint ({@code in}: ep1 / the host's bulk
 * IN, else ep2 / bulk OUT) and with which length.
 */
public record FuzzOp(Kind kind, boolean in, int length) {
    /** The operations, over the public API and the host side. */
    public enum Kind {
        OPEN, CLOSE, SUBMIT, REAP, HOST_IO, ATTACH, DETACH, TRANSFER, AWAIT_TRANSFER, HALT, CLEAR_HALT,
        SET_INTERFACE, EVENT,
        /** Unbind and bind again: the host enumerates anew (the one expensive step, so a rare one). */
        REBIND
    }

    /** The kinds drawn uniformly; {@link Kind#REBIND} once in {@link #REBIND_ONE_IN} steps on average. */
    private static final Kind[] STEPS = Arrays.stream(Kind.values()).filter(k -> k != Kind.REBIND).toArray(Kind[]::new);
    private static final int REBIND_ONE_IN = 500;

    /** Lengths around the packet sizes (512 at high speed, 1024 at SuperSpeed) and the buffer size. */
    private static final int[] LENGTHS = {0, 1, 64, 511, 512, 513, 1024, 2048, 4096, 4097};
    /**
     * The same for gadget-side IN requests, but none of 0..64 bytes: dummy_hcd completes such a
     * request at once when its emulated one-request FIFO is free (the data waits there for the
     * host), where the simulator, like a UDC without that FIFO, completes it when the host reads.
     */
    private static final int[] IN_LENGTHS = {65, 511, 512, 513, 1024, 2048, 4096, 4097};

    /** {@code count} operations from {@code seed}: the same seed gives the same sequence everywhere. */
    public static List<FuzzOp> generate(long seed, int count) {
        Random random = new Random(seed);
        List<FuzzOp> ops = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Kind kind = random.nextInt(REBIND_ONE_IN) == 0 ? Kind.REBIND : STEPS[random.nextInt(STEPS.length)];
            boolean in = random.nextBoolean();
            int[] lengths = in && (kind == Kind.SUBMIT || kind == Kind.TRANSFER) ? IN_LENGTHS : LENGTHS;
            ops.add(new FuzzOp(kind, in, lengths[random.nextInt(lengths.length)]));
        }
        return ops;
    }

    @Override
    public String toString() {
        return kind + "(" + (in ? "ep1 IN" : "ep2 OUT") + ", " + length + ")";
    }
}
