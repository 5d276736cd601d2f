package dev.gadget4j.cli;

import dev.gadget4j.Backend;
import dev.gadget4j.DmaBuf;
import dev.gadget4j.Endpoint;
import dev.gadget4j.FunctionFs;
import dev.gadget4j.HostDevice;
import dev.gadget4j.IoRequest;
import dev.gadget4j.Transfer;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One timed stream through the source/sink function: a gadget side (classic asynchronous I/O or
 * DMABUF transfers) against the host side, each keeping {@code depth} transfers in flight, with
 * the receiver checking every chunk against the pattern it must carry.
 */
final class StreamPass {
    private static final Duration WAIT = Duration.ofSeconds(30);

    enum Path {
        CLASSIC("classic"), DMABUF("dmabuf");

        private final String label;

        Path(String label) {
            this.label = label;
        }

        String label() {
            return label;
        }
    }

    record Result(Path path, String direction, long bytes, double seconds, boolean verified, String error) {
        double mibPerSecond() {
            return seconds <= 0 ? 0 : bytes / (1024.0 * 1024.0) / seconds;
        }
    }

    private final Backend backend;
    private final FunctionFs ffs;
    private final HostDevice host;
    private final int chunk;
    private final long chunks;
    private final int depth;
    private final PrintStream progress;
    private int hostIn;
    private int hostOut;

    StreamPass(Backend backend, FunctionFs ffs, HostDevice host, int chunk, long chunks, int depth, PrintStream progress) {
        this.backend = backend;
        this.ffs = ffs;
        this.host = host;
        this.chunk = chunk;
        this.chunks = chunks;
        this.depth = depth;
        this.progress = progress;
        byte[] c = host.configurationDescriptor();
        for (int i = 0; i + 2 < c.length && c[i] != 0; i += c[i] & 0xff) {
            if (c[i + 1] == 5) {
                int a = c[i + 2] & 0xff;
                if ((a & 0x80) != 0) {
                    hostIn = a;
                } else {
                    hostOut = a;
                }
            }
        }
    }

    /** Chunk {@code i} carries seed {@code i % depth}: byte j is {@code ((j % 512) % 63) + seed}. */
    private MemorySegment[] patterns(Arena arena) {
        MemorySegment[] p = new MemorySegment[depth];
        for (int s = 0; s < depth; s++) {
            p[s] = arena.allocate(chunk);
            for (int j = 0; j < chunk; j++) {
                p[s].set(ValueLayout.JAVA_BYTE, j, (byte) (((j % 512) % 63) + s));
            }
        }
        return p;
    }

    private Endpoint open(boolean in) {
        for (int n = 1; n <= 2; n++) {
            Endpoint e = ffs.endpoint(n);
            if (e.isIn() == in) {
                return e;
            }
            e.close();
        }
        throw new IllegalStateException("the function has no bulk " + (in ? "IN" : "OUT") + " endpoint");
    }

    Result run(Path path, boolean in) {
        String direction = in ? "device->host" : "host->device";
        long bytes = chunks * chunk;
        try (Arena arena = Arena.ofShared(); Endpoint ep = open(in)) {
            MemorySegment[] patterns = patterns(arena);
            List<DmaBuf> bufs = new ArrayList<>();
            try {
                if (path == Path.DMABUF) {
                    for (int s = 0; s < depth; s++) {
                        DmaBuf b = backend.dmaBufs().allocate(chunk);
                        bufs.add(b);
                        if (in) {
                            MemorySegment src = patterns[s];
                            b.write(seg -> seg.copyFrom(src));
                        }
                        ep.attach(b);
                    }
                }
                long start = System.nanoTime();
                CompletableFuture<Void> gadget = CompletableFuture.runAsync(() -> {
                    if (path == Path.CLASSIC) {
                        classic(ep, in, patterns, arena);
                    } else {
                        dmabuf(ep, in, patterns, bufs);
                    }
                }, r -> Thread.ofPlatform().name("gadget-" + path.label()).start(r));
                if (in) {
                    hostReads(patterns, arena, path, direction);
                } else {
                    hostWrites(patterns, path, direction);
                }
                gadget.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                double seconds = (System.nanoTime() - start) / 1e9;
                if (progress != null) {
                    progress.print("\r" + " ".repeat(60) + "\r");
                }
                return new Result(path, direction, bytes, seconds, true, null);
            } finally {
                for (DmaBuf b : bufs) {
                    b.close();
                }
            }
        } catch (ExecutionException e) {
            return new Result(path, direction, bytes, 0, false, String.valueOf(e.getCause()));
        } catch (Exception | AssertionError e) {
            return new Result(path, direction, bytes, 0, false, String.valueOf(e));
        }
    }

    private static void check(MemorySegment got, MemorySegment expected, long chunkIndex) {
        long at = got.mismatch(expected);
        if (at >= 0) {
            throw new AssertionError("chunk " + chunkIndex + " differs at byte " + at);
        }
    }

    private void classic(Endpoint ep, boolean in, MemorySegment[] patterns, Arena arena) {
        ArrayDeque<IoRequest> q = new ArrayDeque<>();
        if (in) {
            for (long i = 0; i < chunks; i++) {
                if (q.size() == depth) {
                    q.poll().await(WAIT);
                }
                q.add(ep.submitWrite(patterns[(int) (i % depth)]));
            }
        } else {
            MemorySegment[] bufs = new MemorySegment[depth];
            for (int s = 0; s < depth && s < chunks; s++) {
                bufs[s] = arena.allocate(chunk);
                q.add(ep.submitRead(bufs[s]));
            }
            for (long i = 0; i < chunks; i++) {
                int s = (int) (i % depth);
                int n = q.poll().await(WAIT);
                if (n != chunk) {
                    throw new AssertionError("chunk " + i + ": read " + n + " bytes, expected " + chunk);
                }
                check(bufs[s], patterns[s], i);
                if (i + depth < chunks) {
                    q.add(ep.submitRead(bufs[s]));
                }
            }
        }
        while (!q.isEmpty()) {
            q.poll().await(WAIT);
        }
    }

    private void dmabuf(Endpoint ep, boolean in, MemorySegment[] patterns, List<DmaBuf> bufs) {
        ArrayDeque<Transfer> q = new ArrayDeque<>();
        if (in) {
            for (long i = 0; i < chunks; i++) {
                if (q.size() == depth) {
                    q.poll().await(WAIT);
                }
                q.add(ep.transfer(bufs.get((int) (i % depth)), chunk));
            }
        } else {
            for (int s = 0; s < depth && s < chunks; s++) {
                q.add(ep.transfer(bufs.get(s), chunk));
            }
            for (long i = 0; i < chunks; i++) {
                int s = (int) (i % depth);
                q.poll().await(WAIT);
                long index = i;
                bufs.get(s).read(seg -> check(seg, patterns[s], index));
                if (i + depth < chunks) {
                    q.add(ep.transfer(bufs.get(s), chunk));
                }
            }
        }
        while (!q.isEmpty()) {
            q.poll().await(WAIT);
        }
    }

    private void hostReads(MemorySegment[] patterns, Arena arena, Path path, String direction) {
        ArrayDeque<IoRequest> q = new ArrayDeque<>();
        MemorySegment[] bufs = new MemorySegment[depth];
        for (int s = 0; s < depth && s < chunks; s++) {
            bufs[s] = arena.allocate(chunk);
            q.add(host.submitBulk(hostIn, bufs[s], false));
        }
        for (long i = 0; i < chunks; i++) {
            int s = (int) (i % depth);
            int n = q.poll().await(WAIT);
            if (n != chunk) {
                throw new AssertionError("chunk " + i + ": host read " + n + " bytes, expected " + chunk);
            }
            check(bufs[s], patterns[s], i);
            if (i + depth < chunks) {
                q.add(host.submitBulk(hostIn, bufs[s], false));
            }
            report(path, direction, i + 1);
        }
    }

    private void hostWrites(MemorySegment[] patterns, Path path, String direction) {
        ArrayDeque<IoRequest> q = new ArrayDeque<>();
        for (long i = 0; i < chunks; i++) {
            if (q.size() == depth) {
                q.poll().await(WAIT);
            }
            q.add(host.submitBulk(hostOut, patterns[(int) (i % depth)], false));
            report(path, direction, i + 1);
        }
        while (!q.isEmpty()) {
            q.poll().await(WAIT);
        }
    }

    private void report(Path path, String direction, long done) {
        if (progress != null && (done % Math.max(1, chunks / 50) == 0 || done == chunks)) {
            progress.printf("\r  %-8s %-13s %6d / %d MiB", path.label(), direction, done * chunk >> 20, chunks * chunk >> 20);
        }
    }
}
