package dev.gadget4j.conformance;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import dev.gadget4j.Backend;
import dev.gadget4j.ControlRequest;
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
import dev.gadget4j.stream.Ep0;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.function.Executable;

/**
 * A source/sink gadget on the backend under test, with the host side opened: one vendor-specific
 * interface, {@code ep1} bulk IN (device to host) and {@code ep2} bulk OUT. It uses the pid.codes
 * test identity 1209:0001 so that no host driver (usbtest binds Gadget Zero's 0525:a4a4) takes it.
 */
public final class Harness implements AutoCloseable {
    public static final int VENDOR = 0x1209;
    public static final int PRODUCT = 0x0001;
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
    /** The ep0 server of a {@link #serving} harness, else null (the case reads events itself). */
    public Ep0 ep0;
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

    /** Bound, configured (ENABLE seen), the host device opened and its interface claimed. */
    public static Harness enabled(Fixture fixture) {
        return bound(started(fixture));
    }

    /** As {@link #enabled}, with an {@link Ep0} serving the function from before the bind, stalling SETUPs. */
    public static Harness serving(Fixture fixture) {
        return serving(fixture, r -> { });
    }

    /** As {@link #serving(Fixture)}, {@code setups} answering control requests. */
    public static Harness serving(Fixture fixture, Consumer<? super ControlRequest> setups) {
        Harness h = started(fixture);
        h.ep0 = h.track(Ep0.serve(h.ffs, setups));
        return bound(h);
    }

    private static Harness bound(Harness h) {
        try {
            h.bindAndEnable();
            return h;
        } catch (RuntimeException | Error e) {
            h.close();
            throw e;
        }
    }

    public void bindAndEnable() {
        gadget.bind();
        awaitEvent(Event.Enable.class);
        host = backend.host().open(VENDOR, PRODUCT, WAIT);
        host.claimInterface(0);
        byte[] c = host.configurationDescriptor();
        hostIn = hostOut = -1;
        for (int i = 0; i + 2 < c.length && c[i] != 0; i += c[i] & 0xff) {
            int addr = c[i + 2] & 0xff;
            if (c[i + 1] == 5 && (addr & 0x80) != 0 && hostIn < 0) {
                hostIn = addr;
            } else if (c[i + 1] == 5 && (addr & 0x80) == 0 && hostOut < 0) {
                hostOut = addr;
            }
        }
        if (hostIn < 0 || hostOut < 0) {
            fail("no bulk IN/OUT endpoints in the configuration descriptor");
        }
    }

    /** Waits for an event of {@code type}, through {@link #ep0} when serving (SETUPs are stalled). */
    public <E extends Event> E awaitEvent(Class<E> type) {
        return (ep0 != null ? ep0.await(type, WAIT) : ffs.awaitEvent(type, WAIT))
                .orElseGet(() -> fail("no " + type.getSimpleName() + " event within " + WAIT));
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
