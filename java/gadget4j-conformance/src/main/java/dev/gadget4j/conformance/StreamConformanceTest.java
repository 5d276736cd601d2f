package dev.gadget4j.conformance;

import static dev.gadget4j.conformance.Harness.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gadget4j.DmaBuf;
import dev.gadget4j.Endpoint;
import dev.gadget4j.IoRequest;
import dev.gadget4j.Transfer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Long streams in both directions with every byte verified, with several buffers in flight on
 * both sides: classic asynchronous I/O and DMABUF transfers.
 */
class StreamConformanceTest {
    private static final int CHUNK = 256 * 1024;
    private static final int CHUNKS = 64; // 16 MiB per direction and path
    private static final int DEPTH = 4;
    private static final int SEEDS = 7;
    private final Fixture fixture = Fixture.current();

    private static MemorySegment[] patterns(Arena arena) {
        MemorySegment[] p = new MemorySegment[SEEDS];
        for (int s = 0; s < SEEDS; s++) {
            p[s] = arena.allocate(CHUNK);
            Patterns.fill(p[s], CHUNK, s);
        }
        return p;
    }

    /** The host reads CHUNKS chunks with DEPTH URBs in flight and checks each against its seed. */
    private static Background<Integer> hostReads(Harness h, MemorySegment[] expected) {
        return Background.start(() -> {
            try (Arena arena = Arena.ofShared()) {
                ArrayDeque<IoRequest> urbs = new ArrayDeque<>();
                ArrayDeque<MemorySegment> bufs = new ArrayDeque<>();
                int submitted = 0;
                for (int i = 0; i < CHUNKS; i++) {
                    while (submitted < CHUNKS && urbs.size() < DEPTH) {
                        MemorySegment b = arena.allocate(CHUNK);
                        bufs.add(b);
                        urbs.add(h.host.submitBulk(h.hostIn, b, false));
                        submitted++;
                    }
                    assertEquals(CHUNK, urbs.poll().await(WAIT));
                    assertEquals(-1, bufs.poll().mismatch(expected[i % SEEDS]), "chunk " + i + " differs");
                }
                return CHUNKS;
            }
        });
    }

    private static Background<Integer> hostWrites(Harness h, MemorySegment[] data) {
        return Background.start(() -> {
            ArrayDeque<IoRequest> urbs = new ArrayDeque<>();
            for (int i = 0; i < CHUNKS; i++) {
                if (urbs.size() == DEPTH) {
                    assertEquals(CHUNK, urbs.poll().await(WAIT));
                }
                urbs.add(h.host.submitBulk(h.hostOut, data[i % SEEDS], false));
            }
            while (!urbs.isEmpty()) {
                assertEquals(CHUNK, urbs.poll().await(WAIT));
            }
            return CHUNKS;
        });
    }

    @Test
    void classic_in_16MiB_verified() throws Exception {
        try (Harness h = Harness.enabled(fixture); Arena arena = Arena.ofShared()) {
            MemorySegment[] p = patterns(arena);
            Background<Integer> host = hostReads(h, p);
            Endpoint in = h.in();
            ArrayDeque<IoRequest> q = new ArrayDeque<>();
            for (int i = 0; i < CHUNKS; i++) {
                if (q.size() == DEPTH) {
                    assertEquals(CHUNK, q.poll().await(WAIT));
                }
                q.add(in.submitWrite(p[i % SEEDS]));
            }
            while (!q.isEmpty()) {
                assertEquals(CHUNK, q.poll().await(WAIT));
            }
            assertEquals(CHUNKS, host.get(WAIT));
        }
    }

    @Test
    void classic_out_16MiB_verified() throws Exception {
        try (Harness h = Harness.enabled(fixture); Arena arena = Arena.ofShared()) {
            MemorySegment[] p = patterns(arena);
            Endpoint out = h.out();
            ArrayDeque<IoRequest> q = new ArrayDeque<>();
            ArrayDeque<MemorySegment> bufs = new ArrayDeque<>();
            for (int i = 0; i < DEPTH; i++) {
                MemorySegment b = arena.allocate(CHUNK);
                bufs.add(b);
                q.add(out.submitRead(b));
            }
            Background<Integer> host = hostWrites(h, p);
            for (int i = 0; i < CHUNKS; i++) {
                assertEquals(CHUNK, q.poll().await(WAIT));
                MemorySegment b = bufs.poll();
                assertEquals(-1, b.mismatch(p[i % SEEDS]), "chunk " + i + " differs");
                if (i + DEPTH < CHUNKS) {
                    bufs.add(b);
                    q.add(out.submitRead(b));
                }
            }
            assertEquals(CHUNKS, host.get(WAIT));
        }
    }

    @Test
    @ExtendWith(DmaBufCases.class)
    void dmabuf_in_16MiB_verified() throws Exception {
        try (Harness h = Harness.enabled(fixture); Arena arena = Arena.ofShared()) {
            MemorySegment[] p = patterns(arena);
            Endpoint in = h.in();
            DmaBuf[] bufs = new DmaBuf[SEEDS];
            for (int s = 0; s < SEEDS; s++) {
                bufs[s] = h.track(h.backend.dmaBufs().allocate(CHUNK));
                MemorySegment src = p[s];
                bufs[s].write(seg -> seg.copyFrom(src));
                in.attach(bufs[s]);
            }
            Background<Integer> host = hostReads(h, p);
            ArrayDeque<Transfer> q = new ArrayDeque<>();
            for (int i = 0; i < CHUNKS; i++) {
                if (q.size() == DEPTH) {
                    q.poll().await(WAIT);
                }
                q.add(in.transfer(bufs[i % SEEDS], CHUNK));
            }
            while (!q.isEmpty()) {
                q.poll().await(WAIT);
            }
            assertEquals(CHUNKS, host.get(WAIT));
        }
    }

    @Test
    @ExtendWith(DmaBufCases.class)
    void dmabuf_out_16MiB_verified() throws Exception {
        try (Harness h = Harness.enabled(fixture); Arena arena = Arena.ofShared()) {
            MemorySegment[] p = patterns(arena);
            Endpoint out = h.out();
            DmaBuf[] bufs = new DmaBuf[DEPTH];
            for (int b = 0; b < DEPTH; b++) {
                bufs[b] = h.track(h.backend.dmaBufs().allocate(CHUNK));
                out.attach(bufs[b]);
            }
            ArrayDeque<Transfer> q = new ArrayDeque<>();
            for (int i = 0; i < DEPTH; i++) {
                q.add(out.transfer(bufs[i], CHUNK));
            }
            Background<Integer> host = hostWrites(h, p);
            for (int i = 0; i < CHUNKS; i++) {
                q.poll().await(WAIT);
                DmaBuf b = bufs[i % DEPTH];
                MemorySegment expected = p[i % SEEDS];
                int chunk = i;
                b.read(seg -> assertEquals(-1, seg.mismatch(expected), "chunk " + chunk + " differs"));
                if (i + DEPTH < CHUNKS) {
                    q.add(out.transfer(b, CHUNK));
                }
            }
            assertEquals(CHUNKS, host.get(WAIT));
        }
    }
}
