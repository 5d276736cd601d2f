package dev.gadget4j.conformance.fuzz;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/** One sequence run on two backends, each on a fresh gadget, and the first step where they differ. */
public final class Differential {
    private final String left;
    private final String right;

    public Differential(String left, String right) {
        this.left = left;
        this.right = right;
    }

    /** Outcomes of both backends, left then right. */
    public List<List<String>> outcomes(List<FuzzOp> ops) {
        return List.of(runOn(left, ops), runOn(right, ops));
    }

    /** Index of the first step whose outcomes differ, or -1. */
    public int firstDifference(List<FuzzOp> ops) {
        List<List<String>> both = outcomes(ops);
        for (int i = 0; i < ops.size(); i++) {
            if (!Objects.equals(both.get(0).get(i), both.get(1).get(i))) {
                return i;
            }
        }
        return -1;
    }

    /** A short wait on the simulator (its completions are synchronous), a kernel's on Linux. */
    static Duration waitFor(String backend) {
        return backend.equals("sim") ? Duration.ofMillis(5) : Duration.ofMillis(300);
    }

    private static List<String> runOn(String backend, List<FuzzOp> ops) {
        try (FuzzRun run = new FuzzRun(backend, waitFor(backend))) {
            return run.run(ops);
        }
    }

    public String left() {
        return left;
    }

    public String right() {
        return right;
    }
}
