package dev.gadget4j.bench.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Stroke;
import java.util.List;
import java.util.SortedSet;

/**
 * One line chart drawn into a rectangle of an image: a value against the transfer size (log
 * scale), one line per series, y from 0.
 */
final class Panel {
    /** A line: its label, colour, whether dashed, and its points (x = transfer bytes). */
    record Series(String label, Color color, boolean dashed, List<double[]> points) {
    }

    private static final Stroke SOLID = new BasicStroke(2.5f);
    private static final Stroke DASHED = new BasicStroke(2.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
            new float[] {8f, 5f}, 0f);
    private static final Stroke GRID = new BasicStroke(1f);
    private static final Stroke MARKER = new BasicStroke(2f);

    private Panel() {
    }

    /** Draws one panel; {@code max} is the largest value of every panel sharing the scale. */
    static void draw(Graphics2D g, int x0, int y0, int w, int h, String title, String yLabel,
            SortedSet<Long> sizes, double max, List<Series> series) {
        int left = x0 + 70;
        int right = x0 + w - 20;
        int top = y0 + 40;
        int bottom = y0 + h - 50;
        g.setColor(Color.WHITE);
        g.fillRect(x0, y0, w, h);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        centered(g, title, (left + right) / 2, y0 + 24);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));

        // headroom above the highest point for the legend
        double step = niceStep(max <= 0 ? 1 : max * 1.3 / 6);
        double top5 = Math.max(step, Math.ceil(max * 1.3 / step) * step);
        FontMetrics fm = g.getFontMetrics();
        for (double v = 0; v <= top5 + step / 2; v += step) {
            int y = yOf(v, top5, top, bottom);
            g.setColor(new Color(225, 225, 225));
            g.setStroke(GRID);
            g.drawLine(left, y, right, y);
            g.setColor(Color.BLACK);
            String t = step < 1 ? String.format("%.2f", v) : String.format("%.0f", v);
            g.drawString(t, left - 6 - fm.stringWidth(t), y + fm.getAscent() / 2 - 1);
        }
        double lo = Math.log(sizes.first());
        double hi = Math.log(sizes.last());
        for (long s : sizes) {
            int x = xOf(Math.log(s), lo, hi, left, right);
            g.setColor(new Color(225, 225, 225));
            g.drawLine(x, top, x, bottom);
            g.setColor(Color.BLACK);
            centered(g, sizeLabel(s), x, bottom + 16);
        }
        g.drawLine(left, bottom, right, bottom);
        g.drawLine(left, top, left, bottom);
        centered(g, "transfer size (log scale)", (left + right) / 2, bottom + 36);
        Graphics2D r = (Graphics2D) g.create();
        r.rotate(-Math.PI / 2);
        r.drawString(yLabel, -(top + bottom) / 2 - fm.stringWidth(yLabel) / 2, x0 + 16);
        r.dispose();

        int legendY = top + 12;
        g.setColor(Color.WHITE);
        g.fillRect(right - 158, top + 2, 150, 16 * series.size() + 4);
        for (Series s : series) {
            g.setColor(s.color());
            g.setStroke(s.dashed() ? DASHED : SOLID);
            int px = -1;
            int py = -1;
            for (double[] p : s.points()) {
                int x = xOf(Math.log(p[0]), lo, hi, left, right);
                int y = yOf(p[1], top5, top, bottom);
                if (px >= 0) {
                    g.drawLine(px, py, x, y);
                }
                marker(g, s, x, y);
                px = x;
                py = y;
            }
            g.drawLine(right - 150, legendY, right - 120, legendY);
            marker(g, s, right - 135, legendY);
            g.setColor(Color.BLACK);
            g.drawString(s.label(), right - 112, legendY + 4);
            legendY += 16;
        }
        g.setStroke(GRID);
    }

    /** A filled dot, or a hollow one for dashed series: IN and OUT differ even where a line has one point. */
    private static void marker(Graphics2D g, Series s, int x, int y) {
        if (s.dashed()) {
            g.setColor(Color.WHITE);
            g.fillOval(x - 5, y - 5, 10, 10);
            g.setColor(s.color());
            Stroke line = g.getStroke();
            g.setStroke(MARKER);
            g.drawOval(x - 5, y - 5, 10, 10);
            g.setStroke(line);
        } else {
            g.fillOval(x - 4, y - 4, 8, 8);
        }
    }

    private static int xOf(double logX, double lo, double hi, int left, int right) {
        if (hi <= lo) {
            return (left + right) / 2;
        }
        int margin = 30;
        return (int) Math.round(left + margin + (logX - lo) / (hi - lo) * (right - left - 2 * margin));
    }

    private static int yOf(double v, double max, int top, int bottom) {
        return (int) Math.round(bottom - v / max * (bottom - top));
    }

    /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
    static double niceStep(double raw) {
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= raw) {
                return m * p;
            }
        }
        return 10 * p;
    }

    static String sizeLabel(long bytes) {
        return bytes >= 1 << 20 && bytes % (1 << 20) == 0 ? (bytes >> 20) + " MiB" : (bytes >> 10) + " KiB";
    }

    private static void centered(Graphics2D g, String s, int x, int y) {
        g.drawString(s, x - g.getFontMetrics().stringWidth(s) / 2, y);
    }
}
