package dev.gadget4j.conformance.fuzz;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One sequence run on two backends in lockstep, each on a fresh gadget, compared step by step
 * up to the first step where they differ.
 *
 * <p>Against the simulator, the simulator steps first. Its completions happen inside the call
 * that causes them, so it needs no wait, and its outcome says whether the other backend's
 * answer is already decided: where the simulator saw a completion, the kernel gets
 * {@link #COMPLETES} to deliver it (the wait ends when it does); where it saw none, nothing the
 * kernel was asked could have caused one, and {@link #NOTHING_DUE} only gives a wrong completion
 * the chance to show at this step. One that the kernel delivers later still diverges, a step or
 * more later, on the first step that reaps it.
 */
public final class Differential {
    /** How long the kernel side waits for a completion the simulator had (TCG guests are slow). */
    static final Duration COMPLETES = Duration.ofSeconds(2);
    /** How long it waits where the simulator had none. */
    static final Duration NOTHING_DUE = Duration.ofMillis(10);
    private static final String SIM = "sim";

    private final String left;
    private final String right;
    /** Time spent, over every run: creating and enumerating the gadgets, then on each kind of step. */
    private long setupNanos;
    private final long[] stepNanos = new long[FuzzOp.Kind.values().length];
    private final long[] stepCounts = new long[FuzzOp.Kind.values().length];

    public Differential(String left, String right) {
        this.left = left;
        this.right = right;
    }

    /**
     * Both backends' outcomes, step by step, up to and including the first step where they
     * differ ({@code firstDifference}, else -1 after every step).
     */
    public record Result(List<String> left, List<String> right, int firstDifference) {
        public int steps() {
            return left.size();
        }

        public boolean diverged() {
            return firstDifference >= 0;
        }
    }

    public Result run(List<FuzzOp> ops) {
        boolean rightLeads = right.equals(SIM);
        boolean leftLeads = !rightLeads && left.equals(SIM);
        List<String> l = new ArrayList<>(ops.size());
        List<String> r = new ArrayList<>(ops.size());
        long t0 = System.nanoTime();
        try (FuzzRun a = new FuzzRun(left); FuzzRun b = new FuzzRun(right)) {
            setupNanos += System.nanoTime() - t0;
            for (int i = 0; i < ops.size(); i++) {
                FuzzOp op = ops.get(i);
                long t = System.nanoTime();
                String x;
                String y;
                if (rightLeads) {
                    y = b.step(op, Duration.ZERO);
                    x = a.step(op, waitFor(left, y));
                } else if (leftLeads) {
                    x = a.step(op, Duration.ZERO);
                    y = b.step(op, waitFor(right, x));
                } else {
                    x = a.step(op, COMPLETES);
                    y = b.step(op, COMPLETES);
                }
                stepNanos[op.kind().ordinal()] += System.nanoTime() - t;
                stepCounts[op.kind().ordinal()]++;
                l.add(x);
                r.add(y);
                if (!Outcomes.agree(op, x, y)) {
                    return new Result(l, r, i);
                }
            }
        }
        return new Result(l, r, -1);
    }

    /** The wait of {@code backend} for a step the simulator answered with {@code simOutcome}. */
    private static Duration waitFor(String backend, String simOutcome) {
        if (backend.equals(SIM)) {
            return Duration.ZERO;
        }
        return Outcomes.completed(simOutcome) ? COMPLETES : NOTHING_DUE;
    }

    /** Where the time went: gadget set-up, then each kind of step (count, total, mean). */
    public String timeReport() {
        StringBuilder b = new StringBuilder(String.format("set-up (create, bind, enumerate; both backends) %.1f s", setupNanos / 1e9));
        for (FuzzOp.Kind k : FuzzOp.Kind.values()) {
            int i = k.ordinal();
            if (stepCounts[i] > 0) {
                b.append(String.format("; %s %d x %.1f ms = %.1f s", k, stepCounts[i], stepNanos[i] / 1e6 / stepCounts[i],
                        stepNanos[i] / 1e9));
            }
        }
        return b.toString();
    }

    public String left() {
        return left;
    }

    public String right() {
        return right;
    }
}
