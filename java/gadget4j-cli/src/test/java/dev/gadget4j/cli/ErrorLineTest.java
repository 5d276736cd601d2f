package dev.gadget4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ErrorLineTest {
    @Test
    void gadgetException_oneLine_operationPathErrnoAndWhatToDo() {
        String line = ErrorLine.format("sourcesink", new GadgetException("mkdir", "/run/gadget4j", Errno.EROFS,
                "/run/gadget4j: Read-only file system", new java.nio.file.FileSystemException("/run/gadget4j")));
        assertFalse(line.contains("\n"), line);
        assertTrue(line.startsWith("gadget4j sourcesink: mkdir on /run/gadget4j failed: EROFS (30)"), line);
        assertTrue(line.contains("GADGET4J_RUN_DIR"), line);
    }

    @Test
    void failingCommand_printsOneLineAndExitsNonZero_noStackTrace() {
        @CommandLine.Command(name = "boom")
        class Boom implements java.util.concurrent.Callable<Integer> {
            @Override
            public Integer call() {
                throw new GadgetException("open", "/dev/udmabuf", Errno.EACCES, null);
            }
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        int rc;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            rc = new CommandLine(new Boom()).setExecutionExceptionHandler(new ErrorLine()).execute();
        } finally {
            System.setErr(saved);
        }
        String out = err.toString(StandardCharsets.UTF_8);
        assertEquals(ErrorLine.FAILED, rc);
        assertEquals(1, out.strip().lines().count(), out);
        assertTrue(out.contains("EACCES") && out.contains("/dev/udmabuf") && out.contains("setup --user"), out);
    }

    @Test
    void setupUser_numericOrFromPasswd() {
        List<String> passwd = List.of("root:x:0:0:root:/root:/bin/bash", "nobody:x:65534:65534:nobody:/:/bin/false");
        assertArrayEquals(new int[] {1000, 1000}, SetupCommand.ids("1000", passwd));
        assertArrayEquals(new int[] {1000, 20}, SetupCommand.ids("1000:20", passwd));
        assertArrayEquals(new int[] {65534, 65534}, SetupCommand.ids("nobody", passwd));
        assertThrows(IllegalArgumentException.class, () -> SetupCommand.ids("nosuchuser", passwd));
    }
}
