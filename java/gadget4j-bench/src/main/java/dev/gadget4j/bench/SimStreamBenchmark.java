package dev.gadget4j.bench;

import dev.gadget4j.DmaBuf;
import dev.gadget4j.Endpoint;
import dev.gadget4j.Event;
import dev.gadget4j.Gadget;
import dev.gadget4j.GadgetSpec;
import dev.gadget4j.HostDevice;
import dev.gadget4j.IoRequest;
import dev.gadget4j.Transfer;
import dev.gadget4j.descriptor.Descriptors;
import dev.gadget4j.descriptor.Strings;
import dev.gadget4j.sim.SimBackend;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Recording;
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
 * One device-to-host transfer through the simulator (queue on the gadget side, a host URB reads
 * it, wait for completion), per path, against the bare memory copy the transfer implies. The sim
 * should cost little more than {@code copy}. {@code jfr=on} shows what the transfer events cost
 * while a recording takes them ({@code off}: none recording, the flag test only).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SimStreamBenchmark {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @Param({"65536", "1048576"})
    int size;

    /** on: a JFR recording with the transfer and ep0 events enabled runs during the trial. */
    @Param({"off", "on"})
    String jfr;

    private SimBackend backend;
    private Gadget gadget;
    private HostDevice host;
    private Endpoint in;
    private DmaBuf buf;
    private Arena arena;
    private MemorySegment source;
    private MemorySegment sink;
    private Recording recording;

    @Setup(Level.Trial)
    public void setUp() {
        if (jfr.equals("on")) {
            recording = new Recording();
            recording.enable("dev.gadget4j.Transfer");
            recording.enable("dev.gadget4j.Ep0");
            recording.setToDisk(false);
            recording.setMaxSize(64 << 20);
            recording.start();
        }
        backend = SimBackend.open();
        gadget = backend.createGadget(GadgetSpec.builder().name("bench").function("f").build());
        var ffs = gadget.functionFs("f");
        ffs.start(Descriptors.sourceSink(), Strings.en("bench"));
        gadget.bind();
        while (!(ffs.nextEvent(WAIT).orElseThrow() instanceof Event.Enable)) {
            // BIND is coalesced away by ENABLE; anything else is not expected here
        }
        host = backend.host().open(0x0525, 0xa4a4, WAIT);
        in = ffs.endpoint(1);
        buf = backend.dmaBufs().allocate(size);
        in.attach(buf);
        arena = Arena.ofShared();
        source = arena.allocate(size, 4096);
        sink = arena.allocate(size, 4096);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        backend.close();
        arena.close();
        if (recording != null) {
            recording.close();
        }
    }

    /** The floor: one copy of {@code size} bytes. */
    @Benchmark
    public MemorySegment copy() {
        return sink.copyFrom(source);
    }

    @Benchmark
    public int classic() {
        IoRequest w = in.submitWrite(source);
        int n = host.bulk(0x81, sink, WAIT);
        w.await(WAIT);
        return n;
    }

    @Benchmark
    public int dmabuf() {
        Transfer t = in.transfer(buf, size);
        int n = host.bulk(0x81, sink, WAIT);
        t.await(WAIT);
        return n;
    }
}
