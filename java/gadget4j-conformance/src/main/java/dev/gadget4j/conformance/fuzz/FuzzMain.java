package dev.gadget4j.conformance.fuzz;

import java.util.List;

/**
 * The differential fuzzer's command line:
 * {@code FuzzMain [--backend A] [--against B] [--seed S] [--ops N] [--batch K] [--shrink-seconds T] [--max-seconds M]}.
 * Runs N operations in sequences of K (seeds S, S+1, ...), each sequence on one fresh gadget of
 * both backends, comparing every step's outcome. A sequence ends at its first divergence: the
 * fuzzer prints the seed and the step, shrinks the sequence (for at most T seconds, 120 by
 * default: on a kernel every try enumerates a gadget) to the shortest one that still shows the
 * same divergence, prints it with both backends' outcomes, and goes on with the next seed. With
 * {@code --max-seconds} it starts no sequence after M seconds (a long run that must fit a time
 * slot), and says how many operations it ran. It exits 1 if there was any divergence.
 */
public final class FuzzMain {
    private FuzzMain() {
    }

    public static void main(String[] args) {
        String left = "sim";
        String right = "sim";
        long seed = 1;
        long total = 1000;
        int batch = 1000;
        long shrinkSeconds = 120;
        long maxSeconds = Long.MAX_VALUE / 1_000_000_000L;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--backend" -> left = args[++i];
                case "--against" -> right = args[++i];
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--ops" -> total = Long.parseLong(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--shrink-seconds" -> shrinkSeconds = Long.parseLong(args[++i]);
                case "--max-seconds" -> maxSeconds = Long.parseLong(args[++i]);
                default -> {
                    System.err.println("usage: FuzzMain [--backend A] [--against B] [--seed S] [--ops N] [--batch K]"
                            + " [--shrink-seconds T] [--max-seconds M]");
                    System.exit(2);
                }
            }
        }
        Differential diff = new Differential(left, right);
        long done = 0;
        int divergences = 0;
        long start = System.nanoTime();
        long s = seed;
        long stop = start + maxSeconds * 1_000_000_000L;
        for (; done < total && System.nanoTime() - stop < 0; s++) {
            List<FuzzOp> ops = FuzzOp.generate(s, (int) Math.min(batch, total - done));
            long t0 = System.nanoTime();
            Differential.Result r = diff.run(ops);
            done += r.steps();
            System.out.printf("fuzz: seed %d: %d of %d steps, %s (%.1f s)%n", s, r.steps(), ops.size(),
                    r.diverged() ? "diverged at step " + r.firstDifference() : "no divergence", (System.nanoTime() - t0) / 1e9);
            if (r.diverged()) {
                divergences++;
                report(diff, s, ops, r, shrinkSeconds);
            }
        }
        System.out.println("fuzz: time: " + diff.timeReport());
        System.out.printf("fuzz: %d operations (seeds %d..%d, up to %d per sequence) on %s and %s: %s (%.1f s)%n",
                done, seed, s - 1, batch, left, right,
                divergences == 0 ? "no divergence" : divergences + " sequences diverged", (System.nanoTime() - start) / 1e9);
        System.exit(divergences == 0 ? 0 : 1);
    }

    private static void report(Differential diff, long seed, List<FuzzOp> ops, Differential.Result first, long shrinkSeconds) {
        int at = first.firstDifference();
        Divergence wanted = new Divergence(ops.get(at), first.left().get(at), first.right().get(at));
        long deadline = System.nanoTime() + shrinkSeconds * 1_000_000_000L;
        boolean[] outOfTime = {false};
        List<FuzzOp> shortest = Shrinker.shrink(ops.subList(0, at + 1), candidate -> {
            if (System.nanoTime() > deadline) {
                outOfTime[0] = true;
                return false;
            }
            return wanted.shownBy(diff.run(candidate), candidate);
        });
        Differential.Result again = diff.run(shortest);
        System.out.printf("fuzz: divergence between %s and %s, seed %d, step %d: %s gave %s and %s;"
                        + " shortest sequence%s, %d steps%s:%n",
                diff.left(), diff.right(), seed, at, wanted.op(), wanted.left(), wanted.right(),
                outOfTime[0] ? " found in " + shrinkSeconds + " s" : "", shortest.size(),
                again.diverged() ? "" : " (it did not diverge when run once more: timing)");
        for (int i = 0; i < shortest.size(); i++) {
            String l = i < again.steps() ? again.left().get(i) : "-";
            String r = i < again.steps() ? again.right().get(i) : "-";
            System.out.printf("  %3d %-28s %-24s %-24s%s%n", i, shortest.get(i), l, r, l.equals(r) ? "" : "  <-- differs");
        }
    }

    /** A step's divergence: which operation, and what each backend made of it. */
    private record Divergence(FuzzOp op, String left, String right) {
        /** Whether {@code r}, a run of {@code ops}, diverges the same way. */
        boolean shownBy(Differential.Result r, List<FuzzOp> ops) {
            int at = r.firstDifference();
            return at >= 0 && ops.get(at).equals(op) && r.left().get(at).equals(left) && r.right().get(at).equals(right);
        }
    }
}
