package dev.gadget4j.conformance;

import static dev.gadget4j.conformance.Harness.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gadget4j.IoRequest;
import dev.gadget4j.stream.EndpointStream;
import dev.gadget4j.stream.InStream;
import dev.gadget4j.stream.OutStream;
import dev.gadget4j.stream.StreamPath;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayDeque;

/**
 * Verified traffic through a {@link Harness}'s function: the host side keeps {@link #DEPTH} URBs
 * in flight, the gadget side is a library stream of {@link #CHUNK}-byte buffers. Chunk {@code i}
 * carries seed {@code i % SEEDS}.
 */
final class StreamTraffic {
    static final int CHUNK = 256 * 1024;
    static final int DEPTH = 4;
    static final int SEEDS = 7;

    private StreamTraffic() {
    }

    /** The host reads {@code chunks} chunks, from seed {@code first} on, and checks each. */
    static Background<Integer> hostReads(Harness h, int chunks, int first) {
        return hostReads(h, h.hostIn, chunks, first);
    }

    /** As {@link #hostReads(Harness, int, int)} from the IN endpoint at host address {@code endpoint}. */
    static Background<Integer> hostReads(Harness h, int endpoint, int chunks, int first) {
        return Background.start(() -> {
            try (Arena arena = Arena.ofShared()) {
                ArrayDeque<IoRequest> urbs = new ArrayDeque<>();
                ArrayDeque<MemorySegment> bufs = new ArrayDeque<>();
                for (int i = 0, queued = 0; i < chunks; i++) {
                    for (; queued < chunks && urbs.size() < DEPTH; queued++) {
                        bufs.add(arena.allocate(CHUNK));
                        urbs.add(h.host.submitBulk(endpoint, bufs.peekLast(), false));
                    }
                    assertEquals(CHUNK, urbs.poll().await(WAIT));
                    assertEquals(-1, Patterns.mismatch(bufs.poll(), CHUNK, (first + i) % SEEDS), "chunk " + i);
                }
                return chunks;
            }
        });
    }

    static Background<Integer> hostWrites(Harness h, int chunks) {
        return Background.start(() -> {
            try (Arena arena = Arena.ofShared()) {
                ArrayDeque<IoRequest> urbs = new ArrayDeque<>();
                for (int i = 0; i < chunks + DEPTH; i++) {
                    if (urbs.size() == DEPTH || i >= chunks && !urbs.isEmpty()) {
                        assertEquals(CHUNK, urbs.poll().await(WAIT));
                    }
                    if (i < chunks) {
                        MemorySegment b = arena.allocate(CHUNK);
                        Patterns.fill(b, CHUNK, i % SEEDS);
                        urbs.add(h.host.submitBulk(h.hostOut, b, false));
                    }
                }
                return chunks;
            }
        });
    }

    static <B extends EndpointStream.Builder<?, B>> B options(Harness h, B b, StreamPath path) {
        return b.bufferSize(CHUNK).depth(DEPTH).dmaBufs(h.backend.dmaBufs()).path(path);
    }

    /** Sends chunks {@code first..first+chunks-1}, each filled with its seed. */
    static void send(InStream in, int first, int chunks) {
        send(in, first, chunks, () -> { }, WAIT);
    }

    /**
     * As {@link #send(InStream, int, int)}, {@code filled} told after each chunk is written, each
     * chunk queued within {@code wait}.
     */
    static void send(InStream in, int first, int chunks, Runnable filled, Duration wait) {
        for (int i = first; i < first + chunks; i++) {
            int seed = i % SEEDS;
            assertTrue(in.send(b -> {
                Patterns.fill(b, CHUNK, seed);
                filled.run();
                return CHUNK;
            }, wait), "chunk " + i + " not queued within " + wait);
        }
    }

    static void receive(OutStream out, int chunks) {
        for (int i = 0; i < chunks; i++) {
            int seed = i % SEEDS;
            assertTrue(out.receive((b, n) -> assertEquals(-1, Patterns.mismatch(b, CHUNK, seed), "chunk " + seed),
                    WAIT), "chunk " + i + " not received within " + WAIT);
        }
    }
}
