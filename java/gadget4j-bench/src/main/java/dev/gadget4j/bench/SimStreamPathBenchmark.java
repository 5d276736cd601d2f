package dev.gadget4j.bench;

import dev.gadget4j.Gadget;
import dev.gadget4j.GadgetSpec;
import dev.gadget4j.HostDevice;
import dev.gadget4j.descriptor.Descriptors;
import dev.gadget4j.descriptor.Strings;
import dev.gadget4j.sim.SimBackend;
import dev.gadget4j.stream.Ep0;
import dev.gadget4j.stream.InStream;
import dev.gadget4j.stream.OutStream;
import dev.gadget4j.stream.StreamPath;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The library's streams ({@link InStream}, {@link OutStream}) through the simulator, per path, two
 * buffers in flight: one buffer queued and one host URB per operation, on the benchmark thread.
 * With {@code -prof gc}, {@code gc.alloc.rate.norm} is what a steady stream allocates per transfer
 * (the streams refill their handles; the simulated host refills its URB).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2) // longer than SimStreamBenchmark's: C2 must have compiled the whole path
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SimStreamPathBenchmark {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final int SIZE = 16 * 1024;

    @Param({"DMABUF", "AIO"})
    StreamPath path;

    private SimBackend backend;
    private Gadget gadget;
    private Ep0 ep0;
    private HostDevice host;
    private InStream in;
    private OutStream out;
    private Arena arena;
    private MemorySegment hostBuf;

    @Setup(Level.Trial)
    public void setUp() {
        backend = SimBackend.open();
        gadget = backend.createGadget(GadgetSpec.builder().name("bench").function("f").build());
        var ffs = gadget.functionFs("f");
        ffs.start(Descriptors.sourceSink(), Strings.en("bench"));
        ep0 = Ep0.serve(ffs);
        gadget.bind();
        if (!ep0.awaitEnabled(WAIT)) {
            throw new IllegalStateException("no ENABLE");
        }
        host = backend.host().open(0x0525, 0xa4a4, WAIT);
        in = InStream.on(ep0, 1).bufferSize(SIZE).depth(2).path(path).dmaBufs(backend.dmaBufs()).open();
        out = OutStream.on(ep0, 2).bufferSize(SIZE).depth(2).path(path).dmaBufs(backend.dmaBufs()).open();
        arena = Arena.ofShared();
        hostBuf = arena.allocate(SIZE, 4096);
        out.receive(null, Duration.ofMillis(1)); // queues its reads; nothing has arrived yet
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        in.close();
        out.close();
        ep0.close();
        backend.close();
        arena.close();
    }

    /** The gadget sends a buffer, the host reads it. */
    @Benchmark
    public int in() {
        if (!in.send(SIZE, WAIT)) {
            throw new IllegalStateException("send timed out");
        }
        return host.bulk(0x81, hostBuf, WAIT);
    }

    /** The host writes a buffer, the gadget receives it and queues the read again. */
    @Benchmark
    public int out() {
        int n = host.bulk(0x02, hostBuf, WAIT);
        if (!out.receive(null, WAIT)) {
            throw new IllegalStateException("receive timed out");
        }
        return n;
    }
}
