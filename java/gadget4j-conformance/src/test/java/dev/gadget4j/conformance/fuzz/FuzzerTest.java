package dev.gadget4j.conformance.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The fuzzer's own parts: seeded generation, determinism of a run, shrinking. */
class FuzzerTest {
    @Test
    void generation_isAFunctionOfTheSeed() {
        assertEquals(FuzzOp.generate(7, 500), FuzzOp.generate(7, 500));
        assertNotEquals(FuzzOp.generate(7, 500), FuzzOp.generate(8, 500));
    }

    @Test
    void simAgainstSim_everyOutcomeEqual() {
        Differential diff = new Differential("sim", "sim");
        for (long seed = 1; seed <= 10; seed++) {
            List<FuzzOp> ops = FuzzOp.generate(seed, 1000);
            Differential.Result r = diff.run(ops);
            assertEquals(-1, r.firstDifference(), "seed " + seed);
            assertEquals(1000, r.steps());
        }
    }

    @Test
    void run_reportsOneOutcomePerStep_andSeesData() {
        List<FuzzOp> ops = List.of(
                new FuzzOp(FuzzOp.Kind.OPEN, true, 0),
                new FuzzOp(FuzzOp.Kind.SUBMIT, true, 512),
                new FuzzOp(FuzzOp.Kind.HOST_IO, true, 512),
                new FuzzOp(FuzzOp.Kind.REAP, true, 0),
                new FuzzOp(FuzzOp.Kind.TRANSFER, true, 512),
                new FuzzOp(FuzzOp.Kind.ATTACH, true, 0),
                new FuzzOp(FuzzOp.Kind.TRANSFER, true, 0));
        try (FuzzRun run = new FuzzRun("sim")) {
            List<String> out = ops.stream().map(op -> run.step(op, Duration.ZERO)).toList();
            assertEquals(List.of("ok", "queued"), out.subList(0, 2));
            assertEquals("n=512", out.get(3));
            assertEquals("n=512", out.get(2).substring(0, 5));
            assertEquals("EPERM", out.get(4), "TRANSFER before ATTACH");
            assertEquals("EINVAL", out.get(6), "a zero length");
        }
    }

    @Test
    void shrink_findsTheOneMinimalSequence() {
        List<Integer> all = new ArrayList<>(IntStream.range(0, 100).boxed().toList());
        List<Integer> shortest = Shrinker.shrink(all, l -> l.contains(17) && l.contains(42) && l.indexOf(17) < l.indexOf(42));
        assertEquals(List.of(17, 42), shortest);
    }
}
