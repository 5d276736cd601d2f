package dev.gadget4j.bench.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchPlotsTest {
    private static final String JSON = """
            {"meta": {"clocksource": "tsc", "quick": true, "note": "a \\"quoted\\" \\u00e9"},
             "rows": [
              {"impl": "c", "mode": "dmabuf", "direction": "OUT", "transfer_bytes": 65536, "mib_per_s": 91.6, "peer_cpu_s_per_gib": 2.2, "jit_cpu_s": 0},
              {"impl": "java", "mode": "dmabuf", "direction": "OUT", "transfer_bytes": 65536, "mib_per_s": 28.7, "peer_cpu_s_per_gib": 23.64, "jit_cpu_s": 0.91},
              {"impl": "java", "mode": "dmabuf", "direction": "OUT", "transfer_bytes": 1048576, "mib_per_s": 123.0, "peer_cpu_s_per_gib": 2.0, "jit_cpu_s": null},
              {"impl": "java", "mode": "dmabuf", "direction": "OUT", "transfer_bytes": 65536, "mib_per_s": 27.0, "peer_cpu_s_per_gib": 25.0, "jit_cpu_s": 0, "jfr_events": true},
              {"impl": "c", "mode": "classic", "direction": "IN", "transfer_bytes": 16384, "mib_per_s": 1e2, "peer_cpu_s_per_gib": -0.5E-1, "jit_cpu_s": 0}
             ]}
            """;

    @Test
    void json_parsesTheBenchmarksOutput() {
        @SuppressWarnings("unchecked")
        Map<String, Object> top = (Map<String, Object>) Json.parse(JSON);
        @SuppressWarnings("unchecked")
        Map<String, Object> meta = (Map<String, Object>) top.get("meta");
        assertEquals("a \"quoted\" \u00e9", meta.get("note"));
        assertEquals(Boolean.TRUE, meta.get("quick"));
        List<BenchRow> rows = BenchRow.of(top);
        assertEquals(4, rows.size(), "the row with a JFR recording is not plotted");
        assertEquals(new BenchRow("java", "dmabuf", "OUT", 65536, 28.7, 23.64), rows.get(1));
        assertEquals(100.0, rows.get(3).mibPerSecond());
        assertEquals(-0.05, rows.get(3).cpuPerGib());
    }

    @Test
    void json_rejectsBrokenInput() {
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"rows\": [1, 2"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{} x"));
        assertThrows(IllegalArgumentException.class, () -> BenchRow.of(Json.parse("{\"rows\": [{\"impl\": \"c\"}]}")));
    }

    @Test
    void write_drawsBothChartsWithOnePanelPerMode(@TempDir Path dir) throws Exception {
        System.setProperty("java.awt.headless", "true");
        BenchPlots.write(BenchRow.of(Json.parse(JSON)), "", dir);
        for (String name : List.of("throughput.png", "cpu.png")) {
            BufferedImage img = ImageIO.read(dir.resolve(name).toFile());
            assertEquals(3 * 520, img.getWidth(), name);
            assertEquals(420, img.getHeight(), name);
            // the DMABUF panel (third) carries the Java line in its colour; the classic one has none
            assertEquals(true, hasColour(img, 2 * 520, 3 * 520, 0xe6550d), name);
            assertEquals(false, hasColour(img, 0, 520, 0xe6550d), name);
        }
        assertNotEquals(Files.size(dir.resolve("throughput.png")), 0L);
    }

    @Test
    void write_leavesOutAPeerCpuFigureNotCounted(@TempDir Path dir) throws Exception {
        System.setProperty("java.awt.headless", "true");
        List<BenchRow> rows = BenchRow.of(Json.parse("""
                {"rows": [
                  {"impl": "c", "mode": "classic", "direction": "OUT", "transfer_bytes": 65536, "mib_per_s": 250, "peer_cpu_s_per_gib": 0.7},
                  {"impl": "java", "mode": "dmabuf", "direction": "OUT", "transfer_bytes": 16384, "mib_per_s": 274, "peer_cpu_s_per_gib": 0.73},
                  {"impl": "java", "mode": "dmabuf", "direction": "OUT", "transfer_bytes": 65536, "mib_per_s": 375, "peer_cpu_s_per_gib": 90.0,
                   "peer_cpu_counted": true},
                  {"impl": "java", "mode": "dmabuf", "direction": "IN", "transfer_bytes": 16384, "mib_per_s": 274, "peer_cpu_s_per_gib": 0.001,
                   "peer_cpu_counted": false},
                  {"impl": "java", "mode": "dmabuf", "direction": "IN", "transfer_bytes": 65536, "mib_per_s": 375, "peer_cpu_s_per_gib": 0.002,
                   "peer_cpu_counted": false}
                ]}
                """));
        assertEquals(true, Double.isNaN(rows.get(3).cpuPerGib()));
        assertEquals(90.0, rows.get(2).cpuPerGib());
        rows = rows.subList(3, 5); // only the Java DMABUF IN rows, neither counted
        BenchPlots.write(rows, "", dir);
        BufferedImage cpu = ImageIO.read(dir.resolve("cpu.png").toFile());
        BufferedImage rate = ImageIO.read(dir.resolve("throughput.png").toFile());
        assertEquals(true, hasColour(rate, 2 * 520, 3 * 520, 0xe6550d), "their rates are drawn");
        assertEquals(false, hasColour(cpu, 2 * 520, 3 * 520, 0xe6550d), "their CPU figures are not");
    }

    @Test
    void clock_namesTheInstructionCounter_onlyForARunOnIt() {
        assertEquals(" (instruction counter)", BenchPlots.clock(Json.parse("{\"meta\": {\"icount_shift\": 0}, \"rows\": []}")));
        assertEquals("", BenchPlots.clock(Json.parse("{\"meta\": {\"icount_shift\": null}, \"rows\": []}")));
        assertEquals("", BenchPlots.clock(Json.parse(JSON)));
    }

    private static boolean hasColour(BufferedImage img, int fromX, int toX, int rgb) {
        for (int x = fromX; x < toX; x++) {
            for (int y = 0; y < img.getHeight(); y++) {
                if ((img.getRGB(x, y) & 0xffffff) == rgb) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void niceStep_isOneTwoOrFiveTimesAPowerOfTen() {
        assertEquals(0.5, Panel.niceStep(0.31));
        assertEquals(20.0, Panel.niceStep(11));
        assertEquals(100.0, Panel.niceStep(100));
    }
}
