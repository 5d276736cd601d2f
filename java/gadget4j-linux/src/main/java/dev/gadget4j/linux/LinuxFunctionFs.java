package dev.gadget4j.linux;

import dev.gadget4j.Endpoint;
import dev.gadget4j.EndpointOption;
import dev.gadget4j.Errno;
import dev.gadget4j.Event;
import dev.gadget4j.FunctionFs;
import dev.gadget4j.GadgetException;
import dev.gadget4j.descriptor.Descriptors;
import dev.gadget4j.descriptor.Strings;
import dev.gadget4j.jfr.GadgetEvents;
import dev.gadget4j.internal.EndpointErrors;
import dev.gadget4j.internal.FunctionChecks;
import dev.gadget4j.internal.SetupRules;
import dev.gadget4j.linux.sys.Constants;
import dev.gadget4j.linux.sys.Fd;
import dev.gadget4j.linux.sys.Poll;
import dev.gadget4j.linux.sys.WakeFd;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One FunctionFS instance: its mount point, ep0, the event queue and SETUP answers, and the
 * endpoint files opened through it.
 *
 * <p>SETUP answers follow {@code ffs_ep0_read}/{@code ffs_ep0_write}: while a SETUP is pending,
 * a write is the data stage of a device-to-host request (or a stall of a host-to-device one), a
 * read the data stage of a host-to-device request (or a stall of a device-to-host one);
 * zero-length ones acknowledge. A stall returns EL2HLT, which is its success.
 *
 * <p>Bind safety: DMABUF TRANSFER and DETACH run inside the function's {@link BindGate} so that
 * they never reach the kernel once this function knows it is unbound (6.12 oopses there). The
 * function learns it from {@link LinuxGadget#unbind()} before the UDC write, from closing any
 * function's ep0 (which unbinds the whole gadget: every function is lowered before), and from
 * UNBIND events of the current bind generation. A UDC that disappears underneath (driver
 * unloaded, another process clearing the gadget's UDC) is seen only through the UNBIND event, once
 * the user has read it; the BIND event of such an outside rebind makes it bound again.
 */
final class LinuxFunctionFs implements FunctionFs {
    /** ep0 reads must be a multiple of this. */
    static final int EVENT_SIZE = 12;
    /** f_fs.c queues at most four events. */
    static final int MAX_EVENTS = 4;

    private final LinuxGadget gadget;
    private final String name;
    private final Path mountPoint;
    private final Fd ep0;
    /** The threads inside ep0 calls (a SETUP's data or status stage waits for the host), woken by close. */
    private final BlockedCalls ep0Calls;
    /** Every read and write on ep0 after open: events, blobs, SETUP answers. */
    private final ClassicIo ep0Io;
    /** Polled beside ep0 by {@link #nextEvent}: {@link #wakeup()} makes it readable. */
    private final WakeFd wake;
    private final Object eventLock = new Object();
    private final ArrayDeque<Event> events = new ArrayDeque<>();
    private final List<LinuxEndpoint> open = new ArrayList<>();
    private final BindGate gate = new BindGate();
    /** Per endpoint file: FunctionFS numbers fences per endpoint for the life of the instance. */
    private final java.util.Map<Integer, java.util.concurrent.atomic.AtomicLong> seqnos =
            new java.util.concurrent.ConcurrentHashMap<>();
    private volatile Descriptors descriptors;
    /** The bind generation when the buffered events were read; guarded by eventLock. */
    private long eventsGeneration;
    private volatile boolean closed;
    /** The SETUP handed to the user and not answered yet; guarded by eventLock. */
    private Event.Setup pending;

    private LinuxFunctionFs(LinuxGadget gadget, String name, Path mountPoint, Fd ep0) {
        this.gadget = gadget;
        this.name = name;
        this.mountPoint = mountPoint;
        this.ep0 = ep0;
        this.ep0Calls = new BlockedCalls(ep0Path());
        this.ep0Io = new ClassicIo(ep0, ep0Path(), ep0Calls, false);
        this.wake = new WakeFd("eventfd (wake-ups of " + ep0Path() + ")");
    }

    static LinuxFunctionFs open(LinuxGadget gadget, String name, Path mountPoint) {
        Fd ep0 = Fd.open(mountPoint.resolve("ep0").toString(), Constants.O_RDWR);
        try {
            return new LinuxFunctionFs(gadget, name, mountPoint, ep0);
        } catch (RuntimeException e) { // no eventfd left (EMFILE): ep0 is not kept open
            ep0.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return name;
    }

    String ep0Path() {
        return mountPoint.resolve("ep0").toString();
    }

    LinuxGadget gadget() {
        return gadget;
    }

    private void checkOpen(String operation) {
        FunctionChecks.open(closed, operation, ep0Path());
    }

    @Override
    public void start(Descriptors descriptors, Strings strings) {
        Objects.requireNonNull(descriptors, "descriptors");
        Objects.requireNonNull(strings, "strings");
        synchronized (eventLock) {
            checkOpen("write");
            FunctionChecks.notStarted(this.descriptors != null, ep0Path());
            writeBlob(descriptors.toBytes(), "descriptors");
            writeBlob(strings.toBytes(), "strings");
            this.descriptors = descriptors;
        }
    }

    private void writeBlob(byte[] blob, String what) {
        try {
            ep0Io.write(MemorySegment.ofArray(blob));
        } catch (GadgetException e) {
            throw new GadgetException("write (" + what + ")", ep0Path(), e.errno(),
                    "FunctionFS rejected the " + what + " blob (" + blob.length + " bytes)"
                            + (e.errno() == Errno.EINVAL ? "; the kernel log (dmesg) names the offending descriptor" : ""), e);
        }
    }

    @Override
    public boolean isStarted() {
        return descriptors != null && !closed;
    }

    @Override
    public Endpoint endpoint(int number, EndpointOption... options) {
        synchronized (open) {
            checkOpen("open");
            Descriptors d = descriptors;
            int count = d == null ? -1 : d.endpoints().size();
            boolean known = number >= 1 && number <= count;
            // With FUNCTIONFS_VIRTUAL_ADDR the kernel names the files by address (ep81, ep02).
            String path = mountPoint.resolve(known ? d.endpoints().get(number - 1).fileName() : "ep" + number).toString();
            FunctionChecks.endpointExists(number, count, path);
            boolean nonBlocking = Arrays.asList(options).contains(EndpointOption.NON_BLOCKING);
            boolean in = (d.endpoints().get(number - 1).address() & 0x80) != 0;
            LinuxEndpoint e = LinuxEndpoint.open(this, number, path, in, nonBlocking);
            open.add(e);
            return e;
        }
    }

    java.util.concurrent.atomic.AtomicLong seqnoCounter(int endpoint) {
        return seqnos.computeIfAbsent(endpoint, n -> new java.util.concurrent.atomic.AtomicLong());
    }

    void endpointClosed(LinuxEndpoint e) {
        synchronized (open) {
            open.remove(e);
        }
    }

    // ---- bind state ----

    /**
     * Records the bind state. Unbinding first makes new DMABUF ioctls fail, then waits for the
     * ones already entering the kernel (see {@link BindGate}).
     */
    void setBound(boolean value) {
        if (value) {
            gate.raise();
        } else {
            gate.lower();
        }
    }

    boolean isBound() {
        return gate.isBound();
    }

    BindGate gate() {
        return gate;
    }

    // ---- events ----

    @Override
    public Optional<Event> nextEvent(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        synchronized (eventLock) {
            checkOpen("read");
            SetupRules.refuseNextEvent(pending);
            if (events.isEmpty()) {
                int ready = awaitEvent(timeout);
                if ((ready & (Constants.POLLIN | Constants.POLLERR | Constants.POLLHUP)) == 0) {
                    return Optional.empty();
                }
                readEvents();
            }
            Event e = events.poll();
            if (e == null) {
                return Optional.empty();
            }
            if (e instanceof Event.Setup s) {
                pending = s;
            }
            track(e);
            if (GadgetEvents.isEnabled()) {
                GadgetEvents.ep0(ep0Path(), e);
            }
            return Optional.of(e);
        }
    }

    /**
     * Polls ep0 for an event as one of ep0's blocked calls, so that closing the function ends
     * the wait at once (EBADF) rather than at its timeout.
     */
    private int awaitEvent(Duration timeout) {
        int call = ep0Calls.enter("read");
        int ready;
        try {
            ready = Poll.poll(ep0, Constants.POLLIN, wake, timeout, ep0Calls::isShutDown);
        } finally {
            ep0Calls.leave(call);
        }
        if (ready == Poll.STOPPED) {
            throw ep0Calls.closedError("read");
        }
        if (ready == Poll.WOKEN) {
            wake.drain();
            return 0;
        }
        return ready;
    }

    @Override
    public void wakeup() {
        wake.signal();
    }

    /** Reads what ep0 has (at most four events, one read) into the queue. */
    private void readEvents() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(EVENT_SIZE * MAX_EVENTS);
            long n = ep0Io.read(buf);
            byte[] bytes = buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
            // Taken after the read: an UNBIND read before a newer bind() is then older than the
            // generation that bind() raises, and cannot lower its flag.
            eventsGeneration = gate.generation();
            events.addAll(EventCodec.decode(bytes, ep0Path()));
        }
    }

    private void track(Event e) {
        if (e instanceof Event.Unbind) {
            // Only lowers the flag: a BIND event is not proof on its own (an unbind may follow it
            // in the kernel before the user reads it); bind() raises it after its UDC write. An
            // UNBIND buffered before a newer bind() is stale and leaves the flag alone.
            gate.lowerIf(eventsGeneration);
        } else if (e instanceof Event.Bind && gadget.isBound() && events.stream().noneMatch(Event.Unbind.class::isInstance)) {
            // Bound again by someone else (another process wrote the UDC, a UDC driver came back)
            // while this gadget never unbound itself: without this, DMABUF I/O would stay refused
            // for good. An UNBIND already read behind this BIND, or an unbind() of our own, wins.
            setBound(true);
        }
    }

    private void answering(Event.Setup setup, boolean wantIn, String method) {
        SetupRules.answering(pending, setup, wantIn, method);
    }

    private GadgetException answerFailed(String operation, GadgetException e, Event.Setup setup) {
        return e.errno() == Errno.EIDRM ? SetupRules.cancelled(operation, ep0Path(), setup, e) : e;
    }

    @Override
    public void reply(Event.Setup setup, MemorySegment data) {
        Objects.requireNonNull(data, "data");
        synchronized (eventLock) {
            checkOpen("write");
            answering(setup, true, "reply()");
            long n = Math.min(data.byteSize(), setup.packet().length());
            try {
                ep0Io.write(data.asSlice(0, n));
            } catch (GadgetException e) {
                throw answerFailed("write", e, setup);
            } finally {
                pending = null;
            }
        }
    }

    @Override
    public int receive(Event.Setup setup, MemorySegment dst) {
        Objects.requireNonNull(dst, "dst");
        synchronized (eventLock) {
            checkOpen("read");
            answering(setup, false, "receive()");
            long n = Math.min(dst.byteSize(), setup.packet().length());
            try {
                return ep0Io.read(dst.asSlice(0, n));
            } catch (GadgetException e) {
                throw answerFailed("read", e, setup);
            } finally {
                pending = null;
            }
        }
    }

    @Override
    public void acknowledge(Event.Setup setup) {
        Objects.requireNonNull(setup, "setup");
        synchronized (eventLock) {
            boolean in = setup.packet().deviceToHost();
            String op = in ? "write" : "read";
            checkOpen(op);
            answering(setup, in, "acknowledge()");
            try {
                zeroLength(in);
            } catch (GadgetException e) {
                throw answerFailed(op, e, setup);
            } finally {
                pending = null;
            }
        }
    }

    @Override
    public void stall(Event.Setup setup) {
        Objects.requireNonNull(setup, "setup");
        synchronized (eventLock) {
            boolean in = setup.packet().deviceToHost();
            String op = in ? "read" : "write";
            checkOpen(op);
            answering(setup, in, "stall()");
            try {
                // I/O against the request's direction makes f_fs.c halt ep0 and return EL2HLT.
                zeroLength(!in);
            } catch (GadgetException e) {
                if (e.errno() != Errno.EL2HLT) {
                    throw answerFailed(op, e, setup);
                }
            } finally {
                pending = null;
            }
        }
    }

    /** A zero-length write ({@code write}) or read on ep0. */
    private void zeroLength(boolean write) {
        MemorySegment empty = MemorySegment.ofArray(new byte[0]);
        if (write) {
            ep0Io.write(empty);
        } else {
            ep0Io.read(empty);
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    /**
     * Closes every endpoint opened through it, then ep0. Closing ep0 makes FunctionFS unbind the
     * whole gadget, so every function of the gadget (not only this one) is lowered and drained
     * first: a sibling's TRANSFER or DETACH must not reach the kernel once its gadget is gone.
     */
    @Override
    public void close() {
        List<LinuxEndpoint> endpoints;
        synchronized (open) {
            if (closed) {
                return;
            }
            closed = true;
            endpoints = new ArrayList<>(open);
        }
        gadget.functionClosed();
        RuntimeException failure = null;
        for (LinuxEndpoint e : endpoints) {
            try {
                e.close();
            } catch (RuntimeException ex) {
                failure = ex;
            }
        }
        // A SETUP answer waiting for a host that gave up would otherwise keep ep0 (and the
        // gadget's binding) until the host's next request.
        ep0Calls.shutDown();
        ep0.close();
        wake.close();
        if (failure != null) {
            throw failure;
        }
    }
}
