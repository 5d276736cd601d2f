package dev.gadget4j.cli;

import dev.gadget4j.Backend;
import dev.gadget4j.HostDevice;
import dev.gadget4j.IoRequest;
import dev.gadget4j.descriptor.Direction;
import dev.gadget4j.descriptor.TransferType;
import dev.gadget4j.descriptor.UsbInterface;
import dev.gadget4j.stream.Ep0;
import dev.gadget4j.stream.InStream;
import dev.gadget4j.stream.OutStream;
import dev.gadget4j.stream.StreamPath;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One timed stream through the source/sink function: the gadget side is a library stream (AIO or
 * DMABUF, forced), the host side keeps as many URBs in flight, and the receiver checks every
 * chunk: chunk {@code i} carries seed {@code i % depth}, byte j being {@code ((j % 512) % 63) + seed}.
 */
final class StreamPass {
    private static final Duration WAIT = Duration.ofSeconds(30);

    enum Path {
        CLASSIC("classic", StreamPath.AIO), DMABUF("dmabuf", StreamPath.DMABUF);

        private final String label;
        private final StreamPath stream;

        Path(String label, StreamPath stream) {
            this.label = label;
            this.stream = stream;
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
    private final Ep0 ep0;
    private final HostDevice host;
    private final int chunk;
    private final long chunks;
    private final int depth;
    private final PrintStream progress;
    private final int hostIn;
    private final int hostOut;

    StreamPass(Backend backend, Ep0 ep0, HostDevice host, int chunk, long chunks, int depth, PrintStream progress) {
        this.backend = backend;
        this.ep0 = ep0;
        this.host = host;
        this.chunk = chunk;
        this.chunks = chunks;
        this.depth = depth;
        this.progress = progress;
        UsbInterface data = host.configuration().interfaceSetting(0, 0);
        hostIn = data.endpoint(Direction.IN, TransferType.BULK).orElseThrow().address();
        hostOut = data.endpoint(Direction.OUT, TransferType.BULK).orElseThrow().address();
    }

    Result run(Path path, boolean in) {
        String direction = in ? "device->host" : "host->device";
        try (Arena arena = Arena.ofShared()) {
            MemorySegment[] patterns = new MemorySegment[depth];
            for (int s = 0; s < depth; s++) {
                patterns[s] = arena.allocate(chunk);
                for (int j = 0; j < chunk; j++) {
                    patterns[s].set(ValueLayout.JAVA_BYTE, j, (byte) (((j % 512) % 63) + s));
                }
            }
            long start = System.nanoTime();
            CompletableFuture<Void> gadget = CompletableFuture.runAsync(
                    () -> gadgetSide(path, in, patterns), r -> Thread.ofPlatform().name("gadget-" + path.label()).start(r));
            hostSide(in, patterns, arena, path, direction);
            gadget.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            double seconds = (System.nanoTime() - start) / 1e9;
            if (progress != null) {
                progress.print("\r" + " ".repeat(60) + "\r");
            }
            return new Result(path, direction, chunks * chunk, seconds, true, null);
        } catch (ExecutionException e) {
            return new Result(path, direction, chunks * chunk, 0, false, String.valueOf(e.getCause()));
        } catch (Exception | AssertionError e) {
            return new Result(path, direction, chunks * chunk, 0, false, String.valueOf(e));
        }
    }

    /** Each buffer of the IN stream is written once (chunk i goes out of buffer i % depth), then sent as is. */
    private void gadgetSide(Path path, boolean in, MemorySegment[] patterns) {
        if (in) {
            try (InStream s = InStream.on(ep0, 1).bufferSize(chunk).depth(depth).path(path.stream)
                    .dmaBufs(backend.dmaBufs()).open()) {
                for (long i = 0; i < chunks; i++) {
                    MemorySegment p = patterns[(int) (i % depth)];
                    check(i < depth ? s.send(b -> {
                        b.copyFrom(p);
                        return chunk;
                    }, WAIT) : s.send(chunk, WAIT), i);
                }
                check(s.flush(WAIT), chunks);
            }
        } else {
            try (OutStream s = OutStream.on(ep0, 2).bufferSize(chunk).depth(depth).path(path.stream)
                    .dmaBufs(backend.dmaBufs()).open()) {
                for (long i = 0; i < chunks; i++) {
                    long index = i;
                    check(s.receive((b, n) -> verify(b, n, patterns[(int) (index % depth)], index), WAIT), i);
                }
            }
        }
    }

    private static void check(boolean done, long chunkIndex) {
        if (!done) {
            throw new AssertionError("chunk " + chunkIndex + " not moved within " + WAIT);
        }
    }

    private void verify(MemorySegment got, long n, MemorySegment expected, long chunkIndex) {
        if (n != chunk) {
            throw new AssertionError("chunk " + chunkIndex + ": " + n + " bytes, expected " + chunk);
        }
        long at = MemorySegment.mismatch(got, 0, chunk, expected, 0, chunk);
        if (at >= 0) {
            throw new AssertionError("chunk " + chunkIndex + " differs at byte " + at);
        }
    }

    /**
     * The host reads (IN) or writes (OUT) every chunk with {@code depth} URBs in flight, reading
     * ones checked. URB {@code i} uses buffer {@code i % depth}, free again once URB {@code i - depth}
     * was awaited: a new buffer per chunk would cost an allocation and a zeroing of {@code chunk}
     * bytes each, which is most of a simulated transfer's time.
     */
    private void hostSide(boolean in, MemorySegment[] patterns, Arena arena, Path path, String direction) {
        MemorySegment[] bufs = in ? new MemorySegment[depth] : patterns;
        for (int s = 0; in && s < depth; s++) {
            bufs[s] = arena.allocate(chunk);
        }
        ArrayDeque<IoRequest> q = new ArrayDeque<>();
        for (long i = 0, queued = 0; i < chunks; i++) {
            for (; queued < chunks && q.size() < depth; queued++) {
                q.add(host.submitBulk(in ? hostIn : hostOut, bufs[(int) (queued % depth)], false));
            }
            int n = q.poll().await(WAIT);
            if (in) {
                verify(bufs[(int) (i % depth)], n, patterns[(int) (i % depth)], i);
            }
            if (progress != null && ((i + 1) % Math.max(1, chunks / 50) == 0 || i + 1 == chunks)) {
                progress.printf("\r  %-8s %-13s %6d / %d MiB", path.label(), direction, (i + 1) * chunk >> 20,
                        chunks * chunk >> 20);
            }
        }
    }
}
