package dev.gadget4j.sim;

import dev.gadget4j.Endpoint;
import dev.gadget4j.EndpointOption;
import dev.gadget4j.Errno;
import dev.gadget4j.Event;
import dev.gadget4j.FunctionFs;
import dev.gadget4j.GadgetException;
import dev.gadget4j.Speed;
import dev.gadget4j.descriptor.Descriptors;
import dev.gadget4j.descriptor.EndpointInfo;
import dev.gadget4j.descriptor.SetupPacket;
import dev.gadget4j.descriptor.Strings;
import dev.gadget4j.jfr.GadgetEvents;
import dev.gadget4j.internal.EndpointErrors;
import dev.gadget4j.internal.FunctionChecks;
import dev.gadget4j.internal.SetupRules;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.Condition;

/**
 * A simulated FunctionFS instance: ep0's state machine, its event queue with f_fs.c's coalescing
 * rules, SETUP handling, and the endpoint files.
 */
final class SimFunctionFs implements FunctionFs {
    final SimBackend backend;
    final Bus bus;
    private final SimGadget gadget;
    private final String name;
    private final String dir;
    /** The ep0 file's name, made once: every wake-up of a waiting reader names it. */
    private final String ep0;
    /** What an ep0 reader waits for: an event, or the close. */
    private final Condition readable;
    private FunctionLayout layout;
    private final List<EpFile> eps = new ArrayList<>();
    private final List<SimEndpoint> open = new ArrayList<>();
    private final ArrayDeque<Event> events = new ArrayDeque<>();
    private boolean closed;
    private boolean bound;
    private boolean wasBound;
    private Speed speed = Speed.FULL;
    /** The SETUP handed to the user and not yet answered, and the host transfer behind it. */
    private Event.Setup delivered;
    private ControlXfer control;
    private boolean controlCancelled;
    /** A {@link #wakeup()} that no nextEvent has used yet. */
    private boolean wakeup;
    int firstInterface;
    int firstString;

    SimFunctionFs(SimGadget gadget, String name) {
        this.backend = gadget.backend;
        this.bus = backend.bus;
        this.gadget = gadget;
        this.name = name;
        this.dir = "ffs-" + gadget.spec().name() + "-" + name;
        this.ep0 = dir + "/ep0";
        this.readable = bus.condition();
    }

    @Override
    public String name() {
        return name;
    }

    private String ep0() {
        return ep0;
    }

    private void checkOpen(String operation) {
        FunctionChecks.open(closed, operation, ep0());
    }

    @Override
    public void start(Descriptors descriptors, Strings strings) {
        Objects.requireNonNull(descriptors, "descriptors");
        Objects.requireNonNull(strings, "strings");
        bus.lock.lock();
        try {
            checkOpen("write");
            FunctionChecks.notStarted(layout != null, ep0());
            FunctionLayout l = FunctionLayout.of(descriptors, strings, ep0());
            for (EndpointInfo spec : l.endpoints) {
                eps.add(new EpFile(bus, spec, dir + "/ep" + spec.fileNumber()));
            }
            layout = l;
        } finally {
            bus.lock.unlock();
        }
    }

    @Override
    public boolean isStarted() {
        return bus.locked(() -> layout != null && !closed);
    }

    FunctionLayout layout() {
        return layout;
    }

    List<EpFile> eps() {
        return eps;
    }

    @Override
    public Endpoint endpoint(int number, EndpointOption... options) {
        bus.lock.lock();
        try {
            checkOpen("open");
            FunctionChecks.endpointExists(number, layout == null ? -1 : eps.size(), dir + "/ep" + number);
            boolean nonBlocking = Arrays.asList(options).contains(EndpointOption.NON_BLOCKING);
            SimEndpoint e = new SimEndpoint(this, eps.get(number - 1), nonBlocking);
            open.add(e);
            return e;
        } finally {
            bus.lock.unlock();
        }
    }

    void closed(SimEndpoint e) {
        open.remove(e);
    }

    boolean gadgetBound() {
        return bound;
    }

    boolean wasBound() {
        return wasBound;
    }

    byte[] endpointDescriptor(EpFile ep) {
        return layout.endpointDescriptor(speed, ep.spec.fileNumber() - 1, eps.stream().mapToInt(e -> e.udcAddress).toArray());
    }

    // ---- events ----

    /** __ffs_event_add: coalesces the queue the way f_fs.c does, so at most four events are pending. */
    private void addEvent(Event e) {
        if (delivered != null) {
            controlCancelled = true;
        }
        int t = e.type();
        boolean keepOnlyPm = t == 0 || t == 1 || t == 2 || t == 3;
        int rem1 = t;
        int rem2 = t == 6 ? 5 : t;
        events.removeIf(old -> keepOnlyPm ? !(old.type() == 5 || old.type() == 6)
                : (old.type() == rem1 || old.type() == rem2));
        events.add(e);
        bus.signal();
        readable.signalAll();
    }

    @Override
    public Optional<Event> nextEvent(Duration timeout) {
        bus.lock.lock();
        try {
            checkOpen("read");
            SetupRules.refuseNextEvent(delivered);
            long deadline = bus.deadline(timeout);
            while (events.isEmpty()) {
                if (wakeup) {
                    wakeup = false;
                    return Optional.empty();
                }
                if (!bus.await(readable, deadline, "read", ep0())) {
                    return Optional.empty();
                }
                if (closed) {
                    throw EndpointErrors.closedWhileWaiting("read", ep0());
                }
            }
            Event e = events.poll();
            if (e instanceof Event.Setup s) {
                delivered = s;
                controlCancelled = false;
            } else {
                delivered = null;
            }
            if (GadgetEvents.isEnabled()) {
                GadgetEvents.ep0(ep0(), e);
            }
            return Optional.of(e);
        } finally {
            bus.lock.unlock();
        }
    }

    @Override
    public void wakeup() {
        bus.lock.lock();
        try {
            wakeup = true;
            readable.signalAll();
        } finally {
            bus.lock.unlock();
        }
    }

    private ControlXfer answering(Event.Setup setup, String operation, boolean wantIn, String method) {
        Objects.requireNonNull(setup, "setup");
        checkOpen(operation);
        SetupRules.answering(delivered, setup, wantIn, method);
        // f_fs.c answers EIDRM once the SETUP was cancelled, whether a newer event replaced it or
        // the host gave up on it (on a kernel the answer then waits for the host's next request,
        // which cancels it); after that answer nextEvent goes on.
        if (controlCancelled || control == null || control.complete) {
            delivered = null;
            controlCancelled = false;
            throw SetupRules.cancelled(operation, ep0(), setup, null);
        }
        return control;
    }

    @Override
    public void reply(Event.Setup setup, MemorySegment data) {
        Objects.requireNonNull(data, "data");
        bus.lock.lock();
        try {
            ControlXfer c = answering(setup, "write", true, "reply()");
            int n = (int) Math.min(Math.min(data.byteSize(), setup.packet().length()), c.data.byteSize());
            MemorySegment.copy(data, 0, c.data, 0, n);
            finish(c, n, null);
        } finally {
            bus.lock.unlock();
        }
    }

    @Override
    public int receive(Event.Setup setup, MemorySegment dst) {
        Objects.requireNonNull(dst, "dst");
        bus.lock.lock();
        try {
            ControlXfer c = answering(setup, "read", false, "receive()");
            int n = (int) Math.min(Math.min(dst.byteSize(), setup.packet().length()), c.data.byteSize());
            MemorySegment.copy(c.data, 0, dst, 0, n);
            finish(c, n, null);
            return n;
        } finally {
            bus.lock.unlock();
        }
    }

    @Override
    public void acknowledge(Event.Setup setup) {
        bus.lock.lock();
        try {
            boolean in = setup.packet().deviceToHost();
            ControlXfer c = answering(setup, in ? "write" : "read", in, "acknowledge()");
            finish(c, 0, null);
        } finally {
            bus.lock.unlock();
        }
    }

    @Override
    public void stall(Event.Setup setup) {
        bus.lock.lock();
        try {
            boolean in = setup.packet().deviceToHost();
            ControlXfer c = answering(setup, in ? "read" : "write", in, "stall()");
            finish(c, 0, Errno.EPIPE);
        } finally {
            bus.lock.unlock();
        }
    }

    private void finish(ControlXfer c, int n, Errno status) {
        c.complete(n, status);
        delivered = null;
        control = null;
        bus.signal();
    }

    // ---- called by the gadget and the host, bus lock held ----

    void onBind(Speed connected) {
        bound = true;
        wasBound = true;
        speed = connected;
        addEvent(new Event.Bind());
    }

    /** set_alt: FunctionFS disables its endpoints, enables them again and queues ENABLE. */
    void onSetAlt() {
        for (EpFile ep : eps) {
            ep.disable(Errno.EPROTO);
        }
        for (EpFile ep : eps) {
            ep.enable(speed);
        }
        addEvent(new Event.Enable());
    }

    void onDisable() {
        for (EpFile ep : eps) {
            ep.disable(Errno.EPROTO);
        }
        addEvent(new Event.Disable());
    }

    void onUnbind() {
        if (!bound) {
            return;
        }
        for (EpFile ep : eps) {
            ep.disable(Errno.ESHUTDOWN);
        }
        addEvent(new Event.Disable());
        bound = false;
        if (control != null) {
            control.complete(0, Errno.ESHUTDOWN);
            control = null;
        }
        addEvent(new Event.Unbind());
    }

    void onSuspend() {
        addEvent(new Event.Suspend());
    }

    void onResume() {
        addEvent(new Event.Resume());
    }

    /**
     * ffs_func_setup: the request goes to the user as a SETUP event, with wIndex mapped to the
     * function's own interface (or endpoint) number.
     *
     * @return false if the function does not take it (the host then sees a stall)
     */
    boolean onSetup(ControlXfer c, int localIndex) {
        if (closed || layout == null) {
            return false;
        }
        SetupPacket p = c.setup;
        Event.Setup s = new Event.Setup(new SetupPacket(p.requestType(), p.request(), p.value(), localIndex, p.length()));
        addEvent(s);
        control = c;
        return true;
    }

    /** The host gave up on a control transfer (timeout). */
    void controlAbandoned(ControlXfer c) {
        if (control == c) {
            control = null;
            controlCancelled = true;
        }
    }

    boolean allCtrlRecip() {
        return layout != null && layout.hasFlag(Descriptors.ALL_CTRL_RECIP);
    }

    boolean virtualAddr() {
        return layout != null && layout.hasFlag(Descriptors.VIRTUAL_ADDR);
    }

    @Override
    public boolean isClosed() {
        return bus.locked(() -> closed);
    }

    /** Closes every endpoint opened through it, then ep0; a bound gadget is unbound, as the kernel does. */
    @Override
    public void close() {
        bus.locked(() -> {
            if (closed) {
                return;
            }
            for (SimEndpoint e : List.copyOf(open)) {
                e.close();
            }
            if (bound) {
                gadget.unbindLocked();
            }
            closed = true;
            if (control != null) {
                control.complete(0, Errno.EPIPE);
                control = null;
            }
            bus.signal();
            readable.signalAll();
        });
    }
}
