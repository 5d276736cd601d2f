package dev.gadget4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gadget4j.sim.SimBackend;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

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
