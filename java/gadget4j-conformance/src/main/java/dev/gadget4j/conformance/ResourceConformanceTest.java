package dev.gadget4j.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gadget4j.DmaBuf;
import dev.gadget4j.Endpoint;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Nothing leaks: after a full lifecycle with transfers in flight at close time, the process has
 * the same file descriptors, DMABUF mappings and threads as before.
 */
class ResourceConformanceTest {
    private final Fixture fixture = Fixture.current();

    private static long count(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long dmabufMappings() {
        Path maps = Path.of("/proc/self/maps");
        if (!Files.isReadable(maps)) {
            return 0;
        }
        try (Stream<String> lines = Files.lines(maps)) {
            return lines.filter(l -> l.contains("dmabuf") || l.contains("udmabuf")).count();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void lifecycleWithPendingTransfers() {
        try (Harness h = Harness.enabled(fixture); Arena arena = Arena.ofShared()) {
            Endpoint in = h.in();
            Endpoint out = h.out();
            DmaBuf a = h.track(h.backend.dmaBufs().allocate(65536));
            DmaBuf b = h.track(h.backend.dmaBufs().allocate(65536));
            in.attach(a);
            out.attach(b);
            in.transfer(a, 65536);
            out.transfer(b, 65536);
            in.submitWrite(arena.allocate(100));
            out.submitRead(arena.allocate(100));
        }
    }

    @Test
    @ExtendWith(DmaBufCases.class)
    void noLeakedFdsMappingsOrThreads_afterCloseWithTransfersInFlight() {
        lifecycleWithPendingTransfers(); // warm-up: class loading, lazily created JVM threads
        long fds = count(Path.of("/proc/self/fd"));
        long maps = dmabufMappings();
        int threads = Thread.activeCount();
        for (int i = 0; i < 3; i++) {
            lifecycleWithPendingTransfers();
        }
        assertEquals(fds, count(Path.of("/proc/self/fd")), "file descriptors leaked");
        assertEquals(maps, dmabufMappings(), "DMABUF mappings leaked");
        assertEquals(threads, Thread.activeCount(), "threads leaked");
    }
}
