package dev.gadget4j.linux.sys;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that leaves a file descriptor or a mapping of a memfd or DMABUF behind, by comparing
 * /proc/self/fd and /proc/self/maps before and after it. Descriptors the JVM opens on its own
 * (jar files read for class loading) are ignored.
 */
final class NoLeaks implements BeforeEachCallback, AfterEachCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(NoLeaks.class);

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NS).put("fds", openFds());
        context.getStore(NS).put("maps", ourMappings());
    }

    @Override
    @SuppressWarnings("unchecked")
    public void afterEach(ExtensionContext context) {
        Map<Integer, String> before = (Map<Integer, String>) context.getStore(NS).get("fds");
        Map<Integer, String> after = openFds();
        Map<Integer, String> leaked = new TreeMap<>();
        after.forEach((fd, target) -> {
            if (!target.equals(before.get(fd)) && !jvmOwn(target)) {
                leaked.put(fd, target);
            }
        });
        List<String> mapsBefore = (List<String>) context.getStore(NS).get("maps");
        List<String> mapsAfter = ourMappings();
        if (!leaked.isEmpty() || mapsAfter.size() > mapsBefore.size()) {
            fail("leaked by " + context.getDisplayName() + ": fds " + leaked + ", mappings " + mapsAfter);
        }
    }

    /**
     * Files the JVM opens by itself and keeps: jars read for class loading, the random devices
     * behind SecureRandom (temp file names), and the directory streams of the listing itself.
     */
    private static boolean jvmOwn(String target) {
        return target.endsWith(".jar") || target.equals("/dev/random") || target.equals("/dev/urandom")
                || target.matches("/proc/\\d+/fd");
    }

    /** fd number → link target, e.g. {@code /memfd:test (deleted)}. */
    static Map<Integer, String> openFds() {
        Map<Integer, String> fds = new HashMap<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : entries.toList()) {
                try {
                    fds.put(Integer.parseInt(p.getFileName().toString()), Files.readSymbolicLink(p).toString());
                } catch (IOException e) {
                    // the directory stream's own fd is gone by the time it is read: not ours
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return fds;
    }

    /** Lines of /proc/self/maps for memfds, DMABUFs and AIO rings (what this package maps). */
    static List<String> ourMappings() {
        try {
            return Files.readAllLines(Path.of("/proc/self/maps")).stream()
                    .filter(l -> l.contains("/memfd:") || l.contains("dmabuf") || l.contains("[aio]"))
                    .toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
