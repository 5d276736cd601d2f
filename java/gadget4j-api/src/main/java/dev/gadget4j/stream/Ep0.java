package dev.gadget4j.stream;

import dev.gadget4j.ControlRequest;
import dev.gadget4j.Event;
import dev.gadget4j.FunctionFs;
import dev.gadget4j.GadgetException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Serves a function's ep0 on its own thread: reads every event, answers every SETUP through a
 * handler (a request the handler leaves unanswered, or throws on, is stalled: the default, so a
 * driver that only streams never holds up the host's enumeration), and keeps the link state that
 * {@link EndpointStream}s wait on.
 *
 * <p>It is the only reader of the function's events once started: do not call
 * {@link FunctionFs#nextEvent} beside it. Events can be waited for by type with
 * {@link #await(Class, Duration)}; each occurrence is counted, so an event that arrived before
 * the call still satisfies it once. Thread-safe. Closing stops the thread at once
 * ({@link FunctionFs#wakeup()} ends its wait); it does not close the function. Between events the
 * thread sleeps in one call: an idle function costs no CPU.
 */
public final class Ep0 implements AutoCloseable {
    /** The serving thread's wait for an event: {@link #close()} ends it earlier, with a wake-up. */
    private static final Duration IDLE = Duration.ofHours(1);
    /** How long {@link #close()} waits for the serving thread (a SETUP handler may still run). */
    private static final Duration JOIN = Duration.ofSeconds(2);
    private static final int ENABLE = 2;
    /** The event classes, indexed by the kernel's type number. */
    private static final List<Class<? extends Event>> TYPES = List.of(Event.Bind.class, Event.Unbind.class,
            Event.Enable.class, Event.Disable.class, Event.Setup.class, Event.Suspend.class, Event.Resume.class);

    private final FunctionFs ffs;
    private final Consumer<? super ControlRequest> setups;
    private final Consumer<? super Event> listener;
    private final Object lock = new Object();
    private final long[] seen = new long[TYPES.size()];
    private final long[] taken = new long[TYPES.size()];
    private final Event[] latest = new Event[TYPES.size()];
    private final Thread thread;
    private boolean enabled;
    private boolean closed;
    private RuntimeException failure;

    private Ep0(FunctionFs ffs, Consumer<? super ControlRequest> setups, Consumer<? super Event> listener) {
        this.ffs = Objects.requireNonNull(ffs, "ffs");
        this.setups = Objects.requireNonNull(setups, "setups");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.thread = Thread.ofPlatform().daemon().name("ep0-" + ffs.name()).start(this::run);
    }

    /** Serves {@code ffs}'s ep0, stalling every control request. */
    public static Ep0 serve(FunctionFs ffs) {
        return serve(ffs, r -> { }, e -> { });
    }

    /** Serves {@code ffs}'s ep0; {@code setups} answers control requests (unanswered ones are stalled). */
    public static Ep0 serve(FunctionFs ffs, Consumer<? super ControlRequest> setups) {
        return serve(ffs, setups, e -> { });
    }

    /**
     * Serves {@code ffs}'s ep0; {@code listener} sees every event (SETUPs after they were
     * answered), on the serving thread.
     */
    public static Ep0 serve(FunctionFs ffs, Consumer<? super ControlRequest> setups, Consumer<? super Event> listener) {
        return new Ep0(ffs, setups, listener);
    }

    /** The function served. */
    public FunctionFs functionFs() {
        return ffs;
    }

    private void run() {
        try {
            while (!isClosed()) {
                Event e = ffs.nextEvent(IDLE).orElse(null);
                if (e == null) {
                    continue;
                }
                if (e instanceof Event.Setup s) {
                    ControlRequest r = ControlRequest.of(ffs, s);
                    try {
                        setups.accept(r);
                    } catch (RuntimeException handlerFailure) {
                        // the host must still get an answer; the handler's own error is its business
                    } finally {
                        r.stallUnlessAnswered();
                    }
                }
                record(e);
                listener.accept(e);
            }
        } catch (RuntimeException e) {
            synchronized (lock) {
                if (!closed && !ffs.isClosed()) {
                    failure = e;
                }
                closed = true;
                lock.notifyAll();
            }
        }
    }

    private void record(Event e) {
        synchronized (lock) {
            seen[e.type()]++;
            latest[e.type()] = e;
            switch (e) {
                case Event.Enable en -> enabled = true;
                case Event.Disable d -> enabled = false;
                case Event.Unbind u -> enabled = false;
                case Event.Bind b -> enabled = false;
                default -> { }
            }
            lock.notifyAll();
        }
    }

    /** Whether the last ENABLE/DISABLE/BIND/UNBIND read was an ENABLE: the endpoints are usable. */
    public boolean isEnabled() {
        synchronized (lock) {
            return enabled;
        }
    }

    /** How many ENABLE events were read so far. */
    public long enables() {
        synchronized (lock) {
            return seen[ENABLE];
        }
    }

    /**
     * Waits until the function is enabled by an ENABLE newer than the {@code after}-th (pass -1
     * for "enabled now, whichever"), or {@code timeout} passes.
     *
     * @return whether it is so enabled
     * @throws GadgetException what stopped ep0 (e.g. the function was closed: EBADF)
     */
    public boolean awaitEnabled(long after, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (!(enabled && seen[ENABLE] > after)) {
                checkRunning();
                if (!waitUntil(deadline)) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * Waits up to {@code timeout} for the enabled state that the {@code after}-th ENABLE began to
     * end (a DISABLE, UNBIND or BIND read, or a newer ENABLE): whether it has ended.
     */
    boolean awaitLeft(long after, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (enabled && seen[ENABLE] == after) {
                if (closed || !waitUntil(deadline)) {
                    return false;
                }
            }
            return true;
        }
    }

    /** {@link #awaitEnabled(long, Duration)} for any ENABLE. */
    public boolean awaitEnabled(Duration timeout) {
        return awaitEnabled(-1, timeout);
    }

    /**
     * Waits for an event of {@code type} not yet returned by this method (events are counted per
     * type: one that arrived before the call counts) and returns the latest one of that type.
     *
     * @return empty if none within {@code timeout}
     */
    public <E extends Event> Optional<E> await(Class<E> type, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int t = typeOf(type);
        synchronized (lock) {
            while (taken[t] >= seen[t]) {
                checkRunning();
                if (!waitUntil(deadline)) {
                    return Optional.empty();
                }
            }
            taken[t] = seen[t];
            return Optional.of(type.cast(latest[t]));
        }
    }

    private static int typeOf(Class<? extends Event> type) {
        for (int t = 0; t < TYPES.size(); t++) {
            if (TYPES.get(t) == type) {
                return t;
            }
        }
        throw new IllegalArgumentException("not an event type: " + type);
    }

    private void checkRunning() {
        if (failure != null) {
            throw failure;
        }
        if (closed) {
            throw new GadgetException("read", "ep0 of " + ffs.name(), dev.gadget4j.Errno.EBADF,
                    "ep0 is no longer served (closed)");
        }
    }

    /** Waits on the lock until {@code deadline}; false once it has passed. */
    private boolean waitUntil(long deadline) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            return false;
        }
        try {
            lock.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GadgetException("wait", "ep0 of " + ffs.name(), dev.gadget4j.Errno.EINTR, "interrupted");
        }
        return true;
    }

    /** Whether it was closed or its function failed. */
    public boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    /**
     * Stops serving: the thread's wait for an event ends at once, and it reads no event after
     * this returns (unless a SETUP handler is still running, which is waited for up to 2 s).
     * Waiters fail with EBADF.
     */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
        ffs.wakeup();
        if (Thread.currentThread() != thread) {
            try {
                thread.join(JOIN);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
