package dev.gadget4j.bench.plot;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;

/**
 * Draws {@code qemu-images/bench}'s {@code bench.json} as two PNGs: {@code throughput.png}
 * (MiB/s) and {@code cpu.png} (the peer's CPU seconds per GiB), each with one panel per mode
 * (classic, aio, dmabuf) and one line per implementation and direction against the transfer
 * size. Headless AWT, no dependency: {@code java BenchPlots.java bench.json OUT-DIR} runs it from
 * source.
 */
public final class BenchPlots {
    static final List<String> MODES = List.of("classic", "aio", "dmabuf");
    private static final int PANEL_W = 520;
    private static final int PANEL_H = 420;

    private BenchPlots() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: BenchPlots bench.json OUT-DIR");
            System.exit(2);
        }
        System.setProperty("java.awt.headless", "true");
        Object json = Json.parse(Files.readString(Path.of(args[0])));
        Path dir = Path.of(args[1]);
        write(BenchRow.of(json), clock(json), dir);
        System.out.println("bench plots: " + dir.resolve("throughput.png") + ", " + dir.resolve("cpu.png"));
    }

    /**
     * What the run's seconds are, for the axes: "" in real time, " (instruction counter)" for a
     * run whose {@code meta.icount_shift} is a number (a guest second is then 10^9 instructions
     * at shift 0).
     */
    static String clock(Object json) {
        return json instanceof Map<?, ?> top && top.get("meta") instanceof Map<?, ?> meta
                && meta.get("icount_shift") instanceof Double ? " (instruction counter)" : "";
    }

    /** Writes throughput.png and cpu.png into {@code dir}, their axes' units followed by {@code clock}. */
    static void write(List<BenchRow> rows, String clock, Path dir) throws IOException {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("bench.json has no rows");
        }
        ImageIO.write(chart(rows, "MiB/s" + clock, BenchRow::mibPerSecond), "png", dir.resolve("throughput.png").toFile());
        ImageIO.write(chart(rows, "peer CPU s/GiB" + clock, BenchRow::cpuPerGib), "png", dir.resolve("cpu.png").toFile());
    }

    static BufferedImage chart(List<BenchRow> rows, String yLabel, ToDoubleFunction<BenchRow> value) {
        SortedSet<Long> sizes = new TreeSet<>();
        rows.forEach(r -> sizes.add(r.transferBytes()));
        // one scale for every mode; NaN is a figure not to draw
        double max = rows.stream().mapToDouble(value).filter(v -> !Double.isNaN(v)).max().orElse(1);
        BufferedImage img = new BufferedImage(PANEL_W * MODES.size(), PANEL_H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        for (int i = 0; i < MODES.size(); i++) {
            String mode = MODES.get(i);
            List<Panel.Series> series = new ArrayList<>();
            for (String impl : List.of("java", "c")) {
                for (String dir : List.of("OUT", "IN")) {
                    List<double[]> points = new ArrayList<>();
                    for (BenchRow r : rows) {
                        double v = value.applyAsDouble(r);
                        if (r.impl().equals(impl) && r.mode().equals(mode) && r.direction().equals(dir)
                                && !Double.isNaN(v)) {
                            points.add(new double[] {r.transferBytes(), v});
                        }
                    }
                    points.sort((a, b) -> Double.compare(a[0], b[0]));
                    if (!points.isEmpty()) {
                        series.add(new Panel.Series((impl.equals("c") ? "C" : "Java") + " " + dir,
                                impl.equals("c") ? new Color(31, 119, 180) : new Color(230, 85, 13),
                                dir.equals("IN"), points));
                    }
                }
            }
            Panel.draw(g, i * PANEL_W, 0, PANEL_W, PANEL_H, mode + ": " + yLabel, yLabel, sizes, max, series);
        }
        g.dispose();
        return img;
    }
}
