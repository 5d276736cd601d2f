package dev.gadget4j.sim;

import dev.gadget4j.Backend;
import dev.gadget4j.DmaBufAllocator;
import dev.gadget4j.Errno;
import dev.gadget4j.Gadget;
import dev.gadget4j.GadgetException;
import dev.gadget4j.GadgetSpec;
import dev.gadget4j.Udc;
import dev.gadget4j.Speed;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * The bundled simulated backend: a UDC with scatter-gather (like dummy_hcd with gadget4j's patch),
 * a host on the same bus, and udmabuf-like DMABUFs, all in this JVM. It gives the same errno for
 * the same misuse as the kernel, the same ordering and fence behaviour, and the same timeouts
 * (measured on a {@link SimClock} that tests may advance).
 *
 * <p>What it does not model: bus bandwidth (transfers move as fast as memory copies), the export
 * window of sync_files (every transfer's status is observable here), isochronous and interrupt
 * timing, and more than one UDC.
 */
public final class SimBackend implements Backend {
    final Bus bus;
    private final SimClock clock;
    private final Speed hostSpeed;
    private final boolean scatterGather;
    private final SimDmaBufAllocator allocator;
    private final SimHost host;
    private final List<SimGadget> gadgets = new ArrayList<>();
    private final Set<Object> owned = Collections.newSetFromMap(new WeakHashMap<>());
    private SimGadget udcOwner;
    private int nextFd = 100;
    private int nextAddress = 1;
    private long nextContext = 1;
    private boolean closed;

    private SimBackend(Builder b) {
        this.clock = b.clock;
        this.bus = new Bus(clock);
        this.hostSpeed = b.hostSpeed;
        this.scatterGather = b.scatterGather;
        this.allocator = new SimDmaBufAllocator(this, b.dmaBufSizeLimit);
        this.host = new SimHost(this);
    }

    /** A simulated backend with defaults: SuperSpeed host, scatter-gather UDC, 64 MiB DMABUF limit, real time. */
    public static SimBackend open() {
        return builder().build();
    }

    /** Configures a simulated backend. */
    public static Builder builder() {
        return new Builder();
    }

    /** Options of the simulated bus. */
    public static final class Builder {
        private SimClock clock = new SimClock();
        private Speed hostSpeed = Speed.SUPER;
        private boolean scatterGather = true;
        private long dmaBufSizeLimit = 64L << 20;

        private Builder() {
        }

        /** The clock timeouts are measured on; advance it to expire them without sleeping. */
        public Builder clock(SimClock clock) {
            this.clock = java.util.Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The fastest speed the host port runs at (dummy_hcd's {@code is_super_speed}, {@code is_high_speed}). */
        public Builder hostSpeed(Speed speed) {
            this.hostSpeed = java.util.Objects.requireNonNull(speed, "speed");
            return this;
        }

        /** False simulates a UDC without scatter-gather: DMABUF attach then fails with EPERM. */
        public Builder scatterGather(boolean supported) {
            this.scatterGather = supported;
            return this;
        }

        /** udmabuf's {@code size_limit_mb}, in bytes. */
        public Builder dmaBufSizeLimit(long bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("limit must be positive: " + bytes);
            }
            this.dmaBufSizeLimit = bytes;
            return this;
        }

        public SimBackend build() {
            return new SimBackend(this);
        }
    }

    @Override
    public String name() {
        return "sim";
    }

    /** The clock this backend measures timeouts on. */
    public SimClock clock() {
        return clock;
    }

    Speed hostSpeed() {
        return hostSpeed;
    }

    boolean scatterGather() {
        return scatterGather;
    }

    void checkOpen(String operation) {
        if (closed) {
            throw new GadgetException(operation, "sim backend", Errno.EBADF, "the backend is closed");
        }
    }

    @Override
    public Gadget createGadget(GadgetSpec spec) {
        java.util.Objects.requireNonNull(spec, "spec");
        bus.lock.lock();
        try {
            checkOpen("mkdir (gadget)");
            for (SimGadget g : gadgets) {
                if (g.spec().name().equals(spec.name())) {
                    throw new GadgetException("mkdir", "usb_gadget/" + spec.name(), Errno.EEXIST,
                            "a gadget with this name exists");
                }
            }
            SimGadget g = new SimGadget(this, spec);
            gadgets.add(g);
            return g;
        } finally {
            bus.lock.unlock();
        }
    }

    @Override
    public DmaBufAllocator dmaBufs() {
        return allocator;
    }

    @Override
    public List<Udc> udcs() {
        return List.of(new Udc(SimGadget.UDC));
    }

    @Override
    public SimHost host() {
        return host;
    }

    // ---- bookkeeping, bus lock held ----

    int nextFd() {
        return nextFd++;
    }

    int nextAddress() {
        int a = nextAddress;
        nextAddress = nextAddress % 127 + 1;
        return a;
    }

    long nextFenceContext() {
        return nextContext++;
    }

    SimDmaBuf newDmaBuf(long size, long pageSize) {
        bus.lock.lock();
        try {
            checkOpen("UDMABUF_CREATE");
            return register(new SimDmaBuf(bus, nextFd(), size, pageSize));
        } finally {
            bus.lock.unlock();
        }
    }

    <T> T register(T resource) {
        bus.lock.lock();
        try {
            checkOpen("open");
            owned.add(resource);
            return resource;
        } finally {
            bus.lock.unlock();
        }
    }

    boolean owns(Object resource) {
        return owned.contains(resource);
    }

    void claimUdc(SimGadget g) {
        if (udcOwner != null && udcOwner != g) {
            throw new GadgetException("write UDC", "gadget " + g.spec().name(), Errno.EBUSY,
                    SimGadget.UDC + " is in use by gadget " + udcOwner.spec().name());
        }
        udcOwner = g;
    }

    void releaseUdc(SimGadget g) {
        if (udcOwner == g) {
            udcOwner = null;
        }
    }

    SimGadget boundGadget() {
        return udcOwner;
    }

    void forget(SimGadget g) {
        gadgets.remove(g);
    }

    /** Closes every gadget, DMABUF and host handle still open. */
    @Override
    public void close() {
        bus.locked(() -> {
            if (closed) {
                return;
            }
            for (SimGadget g : List.copyOf(gadgets)) {
                g.close();
            }
            for (Object o : List.copyOf(owned)) {
                if (o instanceof AutoCloseable c) {
                    try {
                        c.close();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
            closed = true;
            bus.detachClock();
            bus.signal();
        });
    }
}
