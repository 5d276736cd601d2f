package dev.gadget4j.examples.scope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The repository README shows the driver: its code block must be this example's source, unchanged. */
class ReadmeTest {
    private static final Path SOURCE = Path.of("src/main/java/dev/gadget4j/examples/scope/Scope.java");
    private static final String MARKER = "<!-- examples/scope/" + SOURCE + " -->";

    @Test
    void readmeShowsTheScopeAsItIs() throws Exception {
        String readme = Files.readString(Path.of("../../README.md"));
        int at = readme.indexOf(MARKER);
        assertTrue(at >= 0, "README.md has no " + MARKER + " before the driver's code block");
        int start = readme.indexOf("```java\n", at) + "```java\n".length();
        int end = readme.indexOf("```\n", start);
        assertEquals(Files.readString(SOURCE), readme.substring(start, end),
                "README.md's code block after " + MARKER + " differs from " + SOURCE);
    }
}
