package dev.gadget4j.conformance.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Delta debugging (ddmin) over a sequence: the shortest sub-sequence (1-minimal: dropping any
 * single step loses the property) that still shows {@code failing}.
 */
public final class Shrinker {
    private Shrinker() {
    }

    public static <T> List<T> shrink(List<T> sequence, Predicate<List<T>> failing) {
        List<T> current = new ArrayList<>(sequence);
        int chunks = 2;
        while (current.size() >= 2) {
            int size = (current.size() + chunks - 1) / chunks;
            boolean reduced = false;
            for (int start = 0; start < current.size(); start += size) {
                List<T> without = new ArrayList<>(current.subList(0, start));
                without.addAll(current.subList(Math.min(current.size(), start + size), current.size()));
                if (!without.isEmpty() && failing.test(without)) {
                    current = without;
                    chunks = Math.max(chunks - 1, 2);
                    reduced = true;
                    break;
                }
            }
            if (!reduced) {
                if (chunks >= current.size()) {
                    break;
                }
                chunks = Math.min(current.size(), chunks * 2);
            }
        }
        return current;
    }
}
