package dev.gadget4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gadget4j.sim.SimBackend;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gadget4j sourcesink} as a user runs it, on the simulator: the controller it binds to. */
class SourceSinkCommandTest {

    @Test
    void udcOption_bindsTheNamedController() throws Exception {
        String udc;
        try (SimBackend b = SimBackend.open()) {
            udc = b.udcs().getFirst().name();
        }
        Run r = run("sourcesink", "--backend", "sim", "--udc", udc, "--seconds", "1");
        assertEquals(0, r.status, r.err);
        assertTrue(r.out.contains("bound to " + udc), r.out);
    }

    @Test
    void udcOption_namingNoController_failsWithTheOperationAndErrno() throws Exception {
        Run r = run("sourcesink", "--backend", "sim", "--udc", "nosuch.0", "--seconds", "1");
        assertEquals(ErrorLine.FAILED, r.status, r.out);
        assertTrue(r.err.startsWith("gadget4j sourcesink: write UDC"), r.err);
        assertTrue(r.err.contains("ENODEV") && r.err.contains("nosuch.0"), r.err);
    }

    /** The stop file ends the run (its counts printed) whether it exists at the start or appears later. */
    @Test
    void stopFile_endsTheRun(@TempDir Path dir) throws Exception {
        Path stop = dir.resolve("stop");
        Files.createFile(stop);
        Run r = run("sourcesink", "--backend", "sim", "--stop-file", stop.toString());
        assertEquals(0, r.status, r.err);
        assertTrue(r.out.contains("bytes sunk, 0 data errors"), r.out);

        Files.delete(stop);
        Thread creator = Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(300);
                Files.createFile(stop);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        r = run("sourcesink", "--backend", "sim", "--stop-file", stop.toString());
        creator.join();
        assertEquals(0, r.status, r.err);
        assertTrue(r.out.contains("bytes sunk, 0 data errors"), r.out);
    }

    private record Run(int status, String out, String err) {
    }

    private static Run run(String... args) {
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            System.setOut(o);
            System.setErr(e);
            int status = Main.commandLine().execute(args);
            return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
    }
}
