package dev.gadget4j.cli;

import dev.gadget4j.Backend;
import dev.gadget4j.Backends;
import dev.gadget4j.FunctionFs;
import dev.gadget4j.Gadget;
import dev.gadget4j.GadgetSpec;
import dev.gadget4j.HostDevice;
import dev.gadget4j.descriptor.Descriptors;
import dev.gadget4j.descriptor.Strings;
import dev.gadget4j.stream.Ep0;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Composes a source/sink gadget, lets the host enumerate it, and streams each way with classic
 * asynchronous I/O and with DMABUF transfers, verifying every byte.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Stream through a source/sink gadget with classic I/O and DMABUF, both directions, verifying every byte.")
final class DemoCommand implements Callable<Integer> {
    static final int VENDOR = 0x1209;
    static final int PRODUCT = 0x0002;

    @Option(names = "--backend", description = "Backend to use (linux, sim, auto). Default: auto.")
    String backend = "auto";

    @Option(names = "--size", description = "Bytes per path and direction (suffixes K, M, G). Default: ${DEFAULT-VALUE}.",
            defaultValue = "256M", converter = Sizes.class)
    long size;

    @Option(names = "--transfer-size", description = "Bytes per transfer; a multiple of the page size. Default: ${DEFAULT-VALUE}.",
            defaultValue = "1M", converter = Sizes.class)
    long transferSize;

    @Option(names = "--depth", description = "Transfers in flight on each side. Default: ${DEFAULT-VALUE}.", defaultValue = "4")
    int depth;

    @Option(names = "--json", description = "Print the results as JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (transferSize <= 0 || transferSize % 4096 != 0 || transferSize > (64L << 20)) {
            System.err.println("demo: --transfer-size must be a multiple of 4096 between 4K and 64M");
            return 2;
        }
        if (size < transferSize || depth < 1 || depth > 64) {
            System.err.println("demo: --size must be at least --transfer-size, --depth 1..64");
            return 2;
        }
        long chunks = size / transferSize;
        boolean interactive = System.console() != null && System.console().isTerminal() && !json;
        try (Backend b = Backends.open(backend)) {
            if (!json) {
                System.out.printf("gadget4j demo on backend '%s': %d MiB per path and direction, %d KiB transfers, %d in flight%n",
                        b.name(), chunks * transferSize >> 20, transferSize >> 10, depth);
            }
            List<StreamPass.Result> results = new ArrayList<>();
            try (Gadget g = b.createGadget(GadgetSpec.builder().name("g4jdemo").vendorId(VENDOR).productId(PRODUCT)
                    .product("gadget4j demo source/sink").function("demo").build())) {
                FunctionFs ffs = g.functionFs("demo");
                ffs.start(Descriptors.sourceSink(), Strings.en("gadget4j source/sink"));
                try (Ep0 ep0 = Ep0.serve(ffs)) {
                    g.bind();
                    if (!ep0.awaitEnabled(Duration.ofSeconds(10))) {
                        throw new IllegalStateException("the host did not configure the gadget within 10 s");
                    }
                    try (HostDevice host = b.host().open(VENDOR, PRODUCT, Duration.ofSeconds(10))) {
                        host.claimInterface(0);
                        StreamPass pass = new StreamPass(b, ep0, host, (int) transferSize, chunks, depth,
                                interactive ? System.err : null);
                        for (StreamPass.Path path : StreamPass.Path.values()) {
                            for (boolean in : new boolean[] {true, false}) {
                                results.add(pass.run(path, in));
                            }
                        }
                    }
                }
            }
            print(b.name(), results);
            return results.stream().allMatch(StreamPass.Result::verified) ? 0 : 1;
        }
    }


    private void print(String backendName, List<StreamPass.Result> results) {
        if (json) {
            StringBuilder b = new StringBuilder("{\"backend\":").append(Json.str(backendName))
                    .append(",\"transferSize\":").append(transferSize).append(",\"depth\":").append(depth)
                    .append(",\"results\":[");
            for (int i = 0; i < results.size(); i++) {
                StreamPass.Result r = results.get(i);
                b.append(i == 0 ? "" : ",").append("{\"path\":").append(Json.str(r.path().label()))
                        .append(",\"direction\":").append(Json.str(r.direction()))
                        .append(",\"bytes\":").append(r.bytes())
                        .append(",\"seconds\":").append(String.format("%.6f", r.seconds()))
                        .append(",\"mibPerSecond\":").append(String.format("%.1f", r.mibPerSecond()))
                        .append(",\"verified\":").append(r.verified())
                        .append(r.error() == null ? "" : ",\"error\":" + Json.str(r.error())).append('}');
            }
            System.out.println(b.append("]}"));
            return;
        }
        System.out.println();
        System.out.printf("| %-8s | %-13s | %8s | %8s | %9s | %-8s |%n", "path", "direction", "MiB", "seconds", "MiB/s", "verified");
        System.out.println("|----------|---------------|----------|----------|-----------|----------|");
        for (StreamPass.Result r : results) {
            System.out.printf("| %-8s | %-13s | %8d | %8.3f | %9.1f | %-8s |%n", r.path().label(), r.direction(),
                    r.bytes() >> 20, r.seconds(), r.mibPerSecond(), r.verified() ? "yes" : "NO");
            if (r.error() != null) {
                System.out.println("  error: " + r.error());
            }
        }
    }
}
