package dev.gadget4j.conformance;

import static org.junit.jupiter.api.Assertions.fail;

import dev.gadget4j.*;
import dev.gadget4j.descriptor.*;
import dev.gadget4j.stream.Ep0;
import java.time.Duration;
import java.util.*;
import java.util.function.Consumer;

/**
 * A source/sink gadget on the backend under test, with the host side opened: one vendor-specific
 * interface, {@code ep1} bulk IN (device to host) and {@code ep2} bulk OUT. It uses the pid.codes
 * test identity 1209:0001 so that no host driver (usbtest binds Gadget Zero's 0525:a4a4) takes it.
 */
public final class Harness implements AutoCloseable {
    public static final int VENDOR = 0x1209, PRODUCT = 0x0001, EP_IN = 1, EP_OUT = 2;
    public static final Duration WAIT = Duration.ofSeconds(10);
    public static final UsbFunction SOURCE_SINK = UsbFunction.sourceSink("conf", "gadget4j conformance");

    public final Backend backend;
    public final Gadget gadget;
    public final FunctionFs ffs;
    public HostDevice host;
    /** Host-visible addresses of the first bulk IN and OUT endpoints (ep1 and ep2), -1 for none. */
    public int hostIn, hostOut;
    /** The ep0 server of a {@link #serving} harness, else null (the case reads events itself). */
    public Ep0 ep0;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    /** Up to {@code stage}: 0 created, 1 started, 2 bound and enabled; an {@link Ep0} with {@code setups} if given. */
    private Harness(Fixture fixture, int stage, Consumer<? super ControlRequest> setups) {
        this.backend = track(fixture.open());
        try {
            gadget = track(backend.createGadget(GadgetSpec.builder().name("g4jconf").vendorId(VENDOR)
                    .productId(PRODUCT).product("gadget4j conformance").function(SOURCE_SINK).build()));
            ffs = gadget.functionFs(SOURCE_SINK);
            if (stage > 0) {
                ffs.start(SOURCE_SINK);
            }
            ep0 = setups == null ? null : track(Ep0.serve(ffs, setups));
            if (stage > 1) {
                bindAndEnable();
            }
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /** A gadget whose function is created but not started. */
    public static Harness created(Fixture fixture) {
        return new Harness(fixture, 0, null);
    }

    /** A gadget whose function has its descriptors and strings, not bound. */
    public static Harness started(Fixture fixture) {
        return new Harness(fixture, 1, null);
    }

    /** Bound, configured (ENABLE seen), the host device opened and its interface claimed. */
    public static Harness enabled(Fixture fixture) {
        return new Harness(fixture, 2, null);
    }

    /**
     * As {@link #enabled}, with an {@link Ep0} serving the function from before the bind,
     * {@code setups} answering control requests ({@code r -> { }} stalls them all).
     */
    public static Harness serving(Fixture fixture, Consumer<? super ControlRequest> setups) {
        return new Harness(fixture, 2, setups);
    }

    /** Binds, waits for ENABLE, opens the host device and claims interface 0. */
    public void bindAndEnable() {
        gadget.bind();
        awaitEvent(Event.Enable.class);
        host = track(backend.host().open(VENDOR, PRODUCT, WAIT));
        host.claimInterface(0);
        UsbInterface data = host.configuration().interfaceSetting(0, 0);
        hostIn = data.endpoint(Direction.IN, TransferType.BULK).map(UsbEndpoint::address).orElse(-1);
        hostOut = data.endpoint(Direction.OUT, TransferType.BULK).map(UsbEndpoint::address).orElse(-1);
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

    /**
     * Calls {@code look} (a call with a zero timeout) every millisecond until it returns a value,
     * an ETIMEDOUT from it counting as none, for at most {@link #WAIT}.
     */
    public static <T> T poll(String what, java.util.concurrent.Callable<T> look) throws Exception {
        long end = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                T v = look.call();
                if (v != null) {
                    return v;
                }
            } catch (GadgetException e) {
                if (e.errno() != Errno.ETIMEDOUT) {
                    throw e;
                }
            }
            if (System.nanoTime() - end > 0) {
                return fail(what + ": not seen within " + WAIT + " of zero-timeout looks");
            }
            Thread.sleep(1);
        }
    }

    /** Closed by {@link #close()}, the last tracked first (the host device, then the gadget and backend last). */
    public <T extends AutoCloseable> T track(T resource) {
        toClose.add(resource);
        return resource;
    }

    @Override
    public void close() {
        for (AutoCloseable c : toClose.reversed()) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing is idempotent and must not fail; a failure shows up in the resource tests
            }
        }
    }
}
