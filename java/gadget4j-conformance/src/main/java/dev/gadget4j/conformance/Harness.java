package dev.gadget4j.conformance;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import dev.gadget4j.Backend;
import dev.gadget4j.Endpoint;
import dev.gadget4j.EndpointOption;
import dev.gadget4j.Errno;
import dev.gadget4j.Event;
import dev.gadget4j.FunctionFs;
import dev.gadget4j.Gadget;
import dev.gadget4j.GadgetException;
import dev.gadget4j.GadgetSpec;
import dev.gadget4j.HostDevice;
import dev.gadget4j.descriptor.Descriptors;
import dev.gadget4j.descriptor.Strings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.function.Executable;

/**
 * A source/sink gadget on the backend under test, with the host side opened: one vendor-specific
 * interface, {@code ep1} bulk IN (device to host) and {@code ep2} bulk OUT.
 *
 * <p>It uses the pid.codes test identity 1209:0001 so that no host driver (usbtest binds Gadget
 * Zero's 0525:a4a4) takes the interface.
 */
public final class Harness implements AutoCloseable {
    /** pid.codes' test VID:PID. */
    public static final int VENDOR = 0x1209;
    public static final int PRODUCT = 0x0001;
    /** Endpoint file numbers. */
    public static final int EP_IN = 1;
    public static final int EP_OUT = 2;
    public static final Duration WAIT = Duration.ofSeconds(10);

    public final Fixture fixture;
    public final Backend backend;
    public final Gadget gadget;
    public final FunctionFs ffs;
    public HostDevice host;
    /** Host-visible endpoint addresses of ep1 (IN) and ep2 (OUT). */
    public int hostIn;
    public int hostOut;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    private Harness(Fixture fixture) {
        this.fixture = fixture;
        this.backend = fixture.open();
        try {
            this.gadget = backend.createGadget(GadgetSpec.builder().name("g4jconf").vendorId(VENDOR).productId(PRODUCT)
                    .product("gadget4j conformance").function("conf").build());
            this.ffs = gadget.functionFs("conf");
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
    }

    /** The function's descriptors: bulk IN then bulk OUT on interface 0, at every speed. */
    public static Descriptors descriptors() {
        return Descriptors.sourceSink();
    }

    public static Strings strings() {
        return Strings.en("gadget4j conformance");
    }

    /** A gadget whose function is created but not started. */
    public static Harness created(Fixture fixture) {
        return new Harness(fixture);
    }

    /** A gadget whose function has its descriptors and strings, not bound. */
    public static Harness started(Fixture fixture) {
        Harness h = new Harness(fixture);
        h.ffs.start(descriptors(), strings());
        return h;
    }

    /** Bound, enumerated, configured (ENABLE seen), the host device opened and its interface claimed. */
    public static Harness enabled(Fixture fixture) {
        Harness h = started(fixture);
        try {
            h.bindAndEnable();
        } catch (RuntimeException | Error e) {
            h.close();
            throw e;
        }
        return h;
    }

    public void bindAndEnable() {
        gadget.bind();
        awaitEvent(Event.Enable.class);
        host = backend.host().open(VENDOR, PRODUCT, WAIT);
        host.claimInterface(0);
        findEndpoints();
    }

    private void findEndpoints() {
        byte[] c = host.configurationDescriptor();
        hostIn = -1;
        hostOut = -1;
        for (int i = 0; i + 1 < c.length && c[i] != 0; i += c[i] & 0xff) {
            if (c[i + 1] == 5) {
                int addr = c[i + 2] & 0xff;
                if ((addr & 0x80) != 0 && hostIn < 0) {
                    hostIn = addr;
                } else if ((addr & 0x80) == 0 && hostOut < 0) {
                    hostOut = addr;
                }
            }
        }
        if (hostIn < 0 || hostOut < 0) {
            fail("no bulk IN/OUT endpoints in the configuration descriptor");
        }
    }

    /** Reads events until one of {@code type} arrives; SETUPs are stalled, others skipped. */
    public <E extends Event> E awaitEvent(Class<E> type) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<Event> e = ffs.nextEvent(Duration.ofMillis(200));
            if (e.isEmpty()) {
                continue;
            }
            if (type.isInstance(e.get())) {
                return type.cast(e.get());
            }
            if (e.get() instanceof Event.Setup s) {
                ffs.stall(s);
            }
        }
        return fail("no " + type.getSimpleName() + " event within " + WAIT);
    }

    public Endpoint in(EndpointOption... options) {
        return track(ffs.endpoint(EP_IN, options));
    }

    public Endpoint out(EndpointOption... options) {
        return track(ffs.endpoint(EP_OUT, options));
    }

    public <T extends AutoCloseable> T track(T resource) {
        toClose.add(resource);
        return resource;
    }

    /** Asserts {@code call} fails with {@code errno} and returns the exception. */
    public static GadgetException assertErrno(Errno errno, Executable call) {
        GadgetException e = assertThrows(GadgetException.class, call);
        if (e.errno() != errno) {
            // The exception as the cause: DmaBufCases recognises a DMABUF call the kernel lacks.
            fail("wrong errno, expected " + errno + ": " + e.getMessage(), e);
        }
        return e;
    }

    @Override
    public void close() {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            try {
                toClose.get(i).close();
            } catch (Exception ignored) {
                // closing is idempotent and must not fail; a failure shows up in the resource tests
            }
        }
        if (host != null) {
            host.close();
        }
        gadget.close();
        backend.close();
    }
}
