package dev.gadget4j.conformance.fuzz;

import java.util.List;

/**
 * The differential fuzzer's command line:
 * {@code FuzzMain [--backend A] [--against B] [--seed S] [--ops N] [--batch K]}. Runs N
 * operations in sequences of K (seeds S, S+1, ...), each on a fresh gadget of both backends, and
 * compares every step's outcome. For each divergence it prints the seed, the shortest sequence
 * that still shows it (shrunk) with both backends' outcomes, and goes on; it exits 1 if there was
 * any.
 */
public final class FuzzMain {
    private FuzzMain() {
    }

    public static void main(String[] args) {
        String left = "sim";
        String right = "sim";
        long seed = 1;
        long total = 1000;
        int batch = 100;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--backend" -> left = args[++i];
                case "--against" -> right = args[++i];
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--ops" -> total = Long.parseLong(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: FuzzMain [--backend A] [--against B] [--seed S] [--ops N] [--batch K]");
                    System.exit(2);
                }
            }
        }
        Differential diff = new Differential(left, right);
        long done = 0;
        int divergences = 0;
        long start = System.nanoTime();
        for (long s = seed; done < total; s++) {
            List<FuzzOp> ops = FuzzOp.generate(s, (int) Math.min(batch, total - done));
            if (diff.firstDifference(ops) >= 0) {
                report(diff, s, ops);
                divergences++;
            }
            done += ops.size();
        }
        System.out.printf("fuzz: %d operations (seeds %d..%d, %d per sequence) on %s and %s: %s (%.1f s)%n",
                done, seed, seed + (done - 1) / batch, batch, left, right,
                divergences == 0 ? "no divergence" : divergences + " sequences diverged", (System.nanoTime() - start) / 1e9);
        System.exit(divergences == 0 ? 0 : 1);
    }

    private static void report(Differential diff, long seed, List<FuzzOp> ops) {
        List<FuzzOp> shortest = Shrinker.shrink(ops, candidate -> diff.firstDifference(candidate) >= 0);
        List<List<String>> both = diff.outcomes(shortest);
        if (both.get(0).equals(both.get(1))) {
            System.out.printf("fuzz: seed %d diverged once but not when run again (timing); shortest sequence:%n", seed);
        }
        System.out.printf("fuzz: divergence between %s and %s, seed %d (%d steps), shortest sequence %d steps:%n",
                diff.left(), diff.right(), seed, ops.size(), shortest.size());
        for (int i = 0; i < shortest.size(); i++) {
            String l = both.get(0).get(i);
            String r = both.get(1).get(i);
            System.out.printf("  %2d %-28s %-20s %-20s%s%n", i, shortest.get(i), l, r, l.equals(r) ? "" : "  <-- differs");
        }
    }
}
