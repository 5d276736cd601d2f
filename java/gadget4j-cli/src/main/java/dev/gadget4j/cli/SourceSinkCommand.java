package dev.gadget4j.cli;

import dev.gadget4j.Backend;
import dev.gadget4j.Backends;
import dev.gadget4j.FunctionFs;
import dev.gadget4j.Gadget;
import dev.gadget4j.GadgetSpec;
import dev.gadget4j.Udc;
import dev.gadget4j.descriptor.Descriptors;
import dev.gadget4j.descriptor.Strings;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Serves the kernel's usbtest driver (testusb) as Gadget Zero's source/sink does, from Java. */
@Command(name = "sourcesink", mixinStandardHelpOptions = true,
        description = "A Gadget Zero compatible source/sink (0525:a4a4) for the kernel's usbtest/testusb, pattern 1.")
final class SourceSinkCommand implements Callable<Integer> {
    /**
     * How often the main thread looks for the stop file. Without one it sleeps until the loops
     * stop or {@code --seconds} pass, and wakes for nothing else.
     */
    private static final long STOP_CHECK_NANOS = 1_000_000_000L;

    @Option(names = "--backend", description = "Backend (linux, sim, auto). Default: auto.")
    String backend = "auto";

    @Option(names = "--mode", description = "classic (one blocking read/write at a time), aio (several requests in flight) or dmabuf. Default: ${DEFAULT-VALUE}.",
            defaultValue = "dmabuf")
    SourceSink.Mode mode;

    @Option(names = "--size", description = "Bytes per request: testusb's -s. Default: ${DEFAULT-VALUE}.",
            defaultValue = "4096", converter = Sizes.class)
    long size;

    @Option(names = "--depth", description = "Requests in flight per endpoint (aio, dmabuf). Default: ${DEFAULT-VALUE}.",
            defaultValue = "4")
    int depth;

    @Option(names = "--no-check", description = "Neither fill nor verify data per request (benchmarks: as the C peer's --no-check).")
    boolean noCheck;

    @Option(names = "--udc", paramLabel = "NAME",
            description = "The controller to bind to, a name in /sys/class/udc (e.g. dummy_udc.1). Default: the first one.")
    String udc;

    @Option(names = "--seconds", description = "Stop after this long (default: until interrupted).")
    long seconds;

    @Option(names = "--stop-file", description = "Stop (cleanly, printing the counts) once this file exists.")
    java.nio.file.Path stopFile;

    /** The gadget sourcesink composes; `setup` prepares the same one for an unprivileged user. */
    static GadgetSpec spec() {
        return GadgetSpec.builder().name("g4jzero").vendorId(0x0525).productId(0xa4a4)
                .product("gadget4j source/sink").function("zero").build();
    }

    @Override
    public Integer call() throws Exception {
        if (size < 1 || size > (16L << 20) || depth < 1 || depth > 64) {
            System.err.println("sourcesink: --size must be 1..16M and --depth 1..64");
            return 2;
        }
        try (Backend b = Backends.open(backend);
             Gadget g = b.createGadget(spec())) {
            FunctionFs ffs = g.functionFs("zero");
            ffs.start(Descriptors.sourceSink(), Strings.en("source and sink data"));
            try (SourceSink ss = new SourceSink(b, ffs, mode, (int) size, depth, !noCheck, g::unbind,
                    m -> System.out.println("sourcesink: " + m))) {
                ss.start();
                if (udc == null) {
                    g.bind();
                } else {
                    g.bind(new Udc(udc));
                }
                System.out.printf("sourcesink on %s: mode %s, %d-byte requests, bound to %s%n", b.name(),
                        mode.name().toLowerCase(java.util.Locale.ROOT), size, g.udc().orElse("?"));
                Runtime.getRuntime().addShutdownHook(new Thread(ss::close));
                long end = seconds > 0 ? System.nanoTime() + seconds * 1_000_000_000L : 0;
                while (stopFile == null || !java.nio.file.Files.exists(stopFile)) {
                    long left = seconds > 0 ? end - System.nanoTime() : Long.MAX_VALUE;
                    if (left <= 0 || ss.awaitStop(stopFile == null ? left : Math.min(left, STOP_CHECK_NANOS))) {
                        break;
                    }
                }
                ss.close();
                System.out.printf("sourcesink: %d bytes sourced, %d bytes sunk, %d data errors%n", ss.bytesIn.get(),
                        ss.bytesOut.get(), ss.dataErrors.get());
                if (ss.failure() != null) {
                    System.err.println("sourcesink: " + ss.failure());
                    return 1;
                }
                return ss.dataErrors.get() == 0 ? 0 : 1;
            }
        }
    }
}
