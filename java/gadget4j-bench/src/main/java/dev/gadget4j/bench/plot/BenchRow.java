package dev.gadget4j.bench.plot;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One row of {@code bench.json}: one implementation, mode, direction and transfer size. A row
 * whose {@code peer_cpu_counted} is false (on the instruction counter, a peer CPU figure the kernel
 * took out as a softirq's time) has NaN for {@code cpuPerGib}: it is not drawn.
 */
record BenchRow(String impl, String mode, String direction, long transferBytes, double mibPerSecond,
        double cpuPerGib) {

    /** The rows of a parsed {@code bench.json} ({@code {"rows": [...]}}) measured without a JFR recording. */
    @SuppressWarnings("unchecked")
    static List<BenchRow> of(Object json) {
        if (!(json instanceof Map<?, ?> top) || !(top.get("rows") instanceof List<?> rows)) {
            throw new IllegalArgumentException("bench.json: no \"rows\" array");
        }
        List<BenchRow> out = new ArrayList<>();
        for (Object o : rows) {
            Map<String, Object> r = (Map<String, Object>) o;
            if (Boolean.TRUE.equals(r.get("jfr_events"))) {
                continue; // the plots compare the peers without a recording; JFR's cost is a table row
            }
            out.add(new BenchRow(text(r, "impl"), text(r, "mode"), text(r, "direction"),
                    (long) number(r, "transfer_bytes"), number(r, "mib_per_s"),
                    Boolean.FALSE.equals(r.get("peer_cpu_counted")) ? Double.NaN : number(r, "peer_cpu_s_per_gib")));
        }
        return out;
    }

    private static String text(Map<String, Object> r, String key) {
        if (!(r.get(key) instanceof String s)) {
            throw new IllegalArgumentException("bench.json: a row without \"" + key + "\": " + r);
        }
        return s;
    }

    private static double number(Map<String, Object> r, String key) {
        if (!(r.get(key) instanceof Double d)) {
            throw new IllegalArgumentException("bench.json: a row without a number \"" + key + "\": " + r);
        }
        return d;
    }
}
