package dev.gadget4j.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ConformanceMain#run}'s selection, on the simulator. */
class ConformanceMainTest {
    @Test
    void exclude_leavesOutTheMatchingCases_andNamesThem(@TempDir Path dir) throws Exception {
        Path cases = dir.resolve("cases.txt");
        StringWriter text = new StringWriter();
        int status = ConformanceMain.run(ConformanceMain.class.getPackageName(), ".*DmaBufAllocationConformanceTest",
                "DmaBufAllocationConformanceTest\\.sync_.*", cases, new PrintWriter(text, true));

        assertEquals(0, status, text.toString());
        List<String> ran = Files.readAllLines(cases);
        assertTrue(ran.contains("DmaBufAllocationConformanceTest.create_sizeZero_EINVAL"), ran.toString());
        assertFalse(ran.stream().anyMatch(n -> n.contains(".sync_")), ran.toString());
        assertTrue(text.toString().contains("left out (--exclude): DmaBufAllocationConformanceTest.sync_startTwice_EINVAL"),
                text.toString());
    }

    @Test
    void noExclude_runsEveryCaseOfTheClass(@TempDir Path dir) throws Exception {
        Path cases = dir.resolve("cases.txt");
        StringWriter text = new StringWriter();
        int status = ConformanceMain.run(ConformanceMain.class.getPackageName(), ".*DmaBufAllocationConformanceTest",
                null, cases, new PrintWriter(text, true));

        assertEquals(0, status, text.toString());
        assertTrue(Files.readAllLines(cases).contains("DmaBufAllocationConformanceTest.sync_startTwice_EINVAL"));
        assertFalse(text.toString().contains("left out"), text.toString());
    }
}
