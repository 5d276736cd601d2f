package dev.gadget4j.conformance.fuzz;

import dev.gadget4j.Backend;
import dev.gadget4j.Backends;
import dev.gadget4j.DmaBuf;
import dev.gadget4j.Endpoint;
import dev.gadget4j.EndpointOption;
import dev.gadget4j.Event;
import dev.gadget4j.FunctionFs;
import dev.gadget4j.Gadget;
import dev.gadget4j.GadgetException;
import dev.gadget4j.GadgetSpec;
import dev.gadget4j.HostDevice;
import dev.gadget4j.IoRequest;
import dev.gadget4j.Transfer;
import dev.gadget4j.conformance.Harness;
import dev.gadget4j.conformance.Patterns;
import dev.gadget4j.sim.SimBackend;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * A fresh, enumerated gadget of one backend on which {@link FuzzOp}s run one at a time,
 * single-threaded, every call bounded (non-blocking endpoint files, a time limit on every wait),
 * each giving one observable outcome: the bytes and a CRC of the data, the errno, or what was
 * queued. The gadget stays up for the whole sequence; only {@link FuzzOp.Kind#REBIND} enumerates
 * it again.
 */
public final class FuzzRun implements AutoCloseable {
    private static final int BUFFER = 4096;
    private final Backend backend;
    private final Gadget gadget;
    private final FunctionFs ffs;
    private HostDevice host;
    private final int hostIn;
    private final int hostOut;
    private final Arena arena = Arena.ofShared();
    private final Endpoint[] eps = new Endpoint[2];
    private final DmaBuf[] bufs = new DmaBuf[2];
    @SuppressWarnings("unchecked")
    private final ArrayDeque<IoRequest>[] requests = new ArrayDeque[] {new ArrayDeque<>(), new ArrayDeque<>()};
    private final List<MemorySegment> readTargets = new ArrayList<>();
    @SuppressWarnings("unchecked")
    private final ArrayDeque<Transfer>[] transfers = new ArrayDeque[] {new ArrayDeque<>(), new ArrayDeque<>()};

    public FuzzRun(String backendName) {
        this.backend = backendName.equals("sim") ? SimBackend.builder().build() : Backends.open(backendName);
        try {
            gadget = backend.createGadget(GadgetSpec.builder().name("g4jfuzz").vendorId(Harness.VENDOR)
                    .productId(Harness.PRODUCT).function("fuzz").build());
            ffs = gadget.functionFs("fuzz");
            ffs.start(Harness.SOURCE_SINK.descriptors(), Harness.SOURCE_SINK.strings());
            bindAndOpenHost();
            int[] addrs = bulkAddresses(host.configurationDescriptor());
            hostIn = addrs[0];
            hostOut = addrs[1];
            for (int d = 0; d < 2; d++) {
                bufs[d] = backend.dmaBufs().allocate(BUFFER);
            }
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
    }

    /** Binds, waits for ENABLE (stalling SETUPs on the way) and opens the device on the host side. */
    private void bindAndOpenHost() {
        gadget.bind();
        ffs.awaitEvent(Event.Enable.class, Harness.WAIT)
                .orElseThrow(() -> new IllegalStateException("no ENABLE within " + Harness.WAIT));
        host = backend.host().open(Harness.VENDOR, Harness.PRODUCT, Harness.WAIT);
        host.claimInterface(0);
    }

    private static int[] bulkAddresses(byte[] c) {
        int in = -1;
        int out = -1;
        for (int i = 0; i + 2 < c.length && c[i] != 0; i += c[i] & 0xff) {
            if (c[i + 1] == 5) {
                int addr = c[i + 2] & 0xff;
                if ((addr & 0x80) != 0 && in < 0) {
                    in = addr;
                } else if ((addr & 0x80) == 0 && out < 0) {
                    out = addr;
                }
            }
        }
        return new int[] {in, out};
    }

    /**
     * Performs one step and returns its outcome.
     *
     * @param wait how long the step waits for a completion that may come (a request, a host
     *             transfer, a DMABUF fence, an ep0 event)
     */
    public String step(FuzzOp op, Duration wait) {
        try {
            return perform(op, wait);
        } catch (GadgetException e) {
            return e.errno().name();
        } catch (IllegalStateException e) {
            return "IllegalState";
        } catch (IllegalArgumentException e) {
            return "IllegalArgument";
        }
    }

    private String perform(FuzzOp op, Duration wait) {
        int d = op.in() ? 0 : 1;
        Endpoint ep = eps[d];
        switch (op.kind()) {
            case OPEN -> {
                if (ep != null) {
                    return "open already";
                }
                eps[d] = ffs.endpoint(op.in() ? Harness.EP_IN : Harness.EP_OUT, EndpointOption.NON_BLOCKING);
                return "ok";
            }
            case SET_INTERFACE -> {
                host.setInterface(0, 0);
                return "ok";
            }
            case EVENT -> {
                Optional<Event> e = ffs.nextEvent(wait);
                if (e.isPresent() && e.get() instanceof Event.Setup s) {
                    ffs.stall(s);
                }
                return e.map(ev -> ev.getClass().getSimpleName()).orElse(Outcomes.NONE);
            }
            case HOST_IO -> {
                return hostIo(op, wait);
            }
            case REAP -> {
                return reap(d, wait);
            }
            case REBIND -> {
                host.close();
                gadget.unbind();
                bindAndOpenHost();
                return "ok";
            }
            case AWAIT_TRANSFER -> {
                Transfer t = transfers[d].peek();
                if (t == null) {
                    return Outcomes.NONE;
                }
                try {
                    t.await(wait);
                } catch (GadgetException e) {
                    if (e.errno() != dev.gadget4j.Errno.ETIMEDOUT) {
                        transfers[d].poll();
                    }
                    throw e;
                }
                transfers[d].poll();
                return "ok";
            }
            default -> {
                if (ep == null) {
                    return "closed";
                }
                return onEndpoint(op, d, ep);
            }
        }
    }

    private String onEndpoint(FuzzOp op, int d, Endpoint ep) {
        switch (op.kind()) {
            case CLOSE -> {
                eps[d] = null;
                ep.close();
                return "ok";
            }
            case SUBMIT -> {
                MemorySegment s = arena.allocate(Math.max(1, op.length())).asSlice(0, op.length());
                if (op.in()) {
                    Patterns.fill(s, op.length(), op.length());
                    requests[d].add(ep.submitWrite(s));
                } else {
                    requests[d].add(ep.submitRead(s));
                    readTargets.add(s);
                }
                return "queued";
            }
            case ATTACH -> {
                ep.attach(bufs[d]);
                return "ok";
            }
            case DETACH -> {
                ep.detach(bufs[d]);
                return "ok";
            }
            case TRANSFER -> {
                transfers[d].add(ep.transfer(bufs[d], op.length()));
                return "queued";
            }
            case HALT -> {
                ep.halt();
                return "ok";
            }
            case CLEAR_HALT -> {
                ep.clearHalt();
                return "ok";
            }
            default -> throw new AssertionError(op);
        }
    }

    private String hostIo(FuzzOp op, Duration wait) {
        MemorySegment s = arena.allocate(Math.max(1, op.length())).asSlice(0, op.length());
        if (!op.in()) {
            Patterns.fill(s, op.length(), op.length() + 7);
        }
        int n = host.bulk(op.in() ? hostIn : hostOut, s, wait);
        return op.in() ? "n=" + n + " crc=" + crc(s, n) : "n=" + n;
    }

    private String reap(int d, Duration wait) {
        IoRequest r = requests[d].peek();
        if (r == null) {
            return Outcomes.NONE;
        }
        int n;
        try {
            n = r.await(wait);
        } catch (GadgetException e) {
            if (e.errno() != dev.gadget4j.Errno.ETIMEDOUT) {
                requests[d].poll();
                if (d == 1) {
                    readTargets.removeFirst();
                }
            }
            throw e;
        }
        requests[d].poll();
        if (d == 1) {
            return "n=" + n + " crc=" + crc(readTargets.removeFirst(), n);
        }
        return "n=" + n;
    }

    private static long crc(MemorySegment s, int n) {
        CRC32 crc = new CRC32();
        crc.update(s.asSlice(0, n).asByteBuffer());
        return crc.getValue();
    }

    @Override
    public void close() {
        try {
            for (Endpoint e : eps) {
                if (e != null) {
                    e.close();
                }
            }
            for (DmaBuf b : bufs) {
                if (b != null) {
                    b.close();
                }
            }
            host.close();
            gadget.close();
        } finally {
            backend.close();
            arena.close();
        }
    }
}
