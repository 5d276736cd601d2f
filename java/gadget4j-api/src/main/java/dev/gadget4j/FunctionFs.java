package dev.gadget4j;

import dev.gadget4j.descriptor.Descriptors;
import dev.gadget4j.descriptor.FunctionEndpoint;
import dev.gadget4j.descriptor.Strings;
import dev.gadget4j.descriptor.UsbFunction;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Optional;

/**
 * One FunctionFS instance ({@code ffs.NAME} in the gadget's configfs tree, mounted, ep0 open).
 *
 * <p>Lifecycle: {@link #start} writes descriptors and strings to ep0, after which endpoint files
 * exist; {@link Gadget#bind()} then attaches the gadget to the UDC; events arrive through
 * {@link #nextEvent}. Closing ep0 (this object) closes every endpoint opened through it and makes
 * the kernel unbind the gadget.
 */
public interface FunctionFs extends AutoCloseable {

    /** The function's name (the {@code NAME} of {@code ffs.NAME}). */
    String name();

    /**
     * Writes the descriptors and strings blobs to ep0 (the lower-level form of
     * {@link #start(UsbFunction)}, for hand-built blobs).
     *
     * @throws GadgetException EINVAL if the kernel rejects a blob; EBUSY if already started
     */
    void start(Descriptors descriptors, Strings strings);

    /**
     * Writes the descriptors and strings derived from {@code function} to ep0.
     *
     * @throws IllegalArgumentException when {@code function} is not this instance's (another name)
     * @throws GadgetException          as {@link #start(Descriptors, Strings)}
     */
    default void start(UsbFunction function) {
        if (!function.name().equals(name())) {
            throw new IllegalArgumentException("function " + function.name() + " is not FunctionFS instance " + name());
        }
        start(function.descriptors(), function.strings());
    }

    /** Whether {@link #start} succeeded. */
    boolean isStarted();

    /**
     * Opens endpoint file {@code epN} (1-based, in descriptor order): the numbered, lower-level
     * form of {@link #endpoint(FunctionEndpoint, EndpointOption...)}.
     *
     * @throws GadgetException ENOENT if there is no such endpoint or the function is not started
     */
    Endpoint endpoint(int number, EndpointOption... options);

    /** Opens the endpoint file of {@code endpoint}, a handle from this function's {@link UsbFunction}. */
    default Endpoint endpoint(FunctionEndpoint endpoint, EndpointOption... options) {
        return endpoint(endpoint.fileNumber(), options);
    }

    /**
     * Reads the next event from ep0.
     *
     * @return empty if none arrived within {@code timeout}
     */
    Optional<Event> nextEvent(Duration timeout);

    /**
     * Makes the {@link #nextEvent} call that is waiting now return empty at once, or, when none is
     * waiting, the next call that finds no event (as {@link java.nio.channels.Selector#wakeup()}).
     * A call that finds an event returns it and leaves the wake-up for a later call. How a thread
     * that serves ep0 is told to look at its own state without closing the function or waking
     * up on a timer. Wake-ups do not add up: several before a call end one wait. Never throws;
     * after {@link #close()} it does nothing (the close already ended every wait).
     */
    void wakeup();

    /**
     * Reads events until one of {@code type} arrives or {@code timeout} passes. Other events are
     * dropped; every SETUP on the way goes to {@code setups} as a {@link ControlRequest} and is
     * stalled if the handler leaves it unanswered (or throws).
     *
     * @return the event, or empty after {@code timeout}
     */
    default <E extends Event> Optional<E> awaitEvent(Class<E> type, Duration timeout,
            java.util.function.Consumer<? super ControlRequest> setups) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            Event e = nextEvent(Duration.ofNanos(left)).orElse(null);
            if (type.isInstance(e)) {
                return Optional.of(type.cast(e));
            }
            if (e instanceof Event.Setup s) {
                ControlRequest r = ControlRequest.of(this, s);
                try {
                    setups.accept(r);
                } finally {
                    r.stallUnlessAnswered();
                }
            }
        }
    }

    /** {@link #awaitEvent(Class, Duration, java.util.function.Consumer)} stalling every SETUP. */
    default <E extends Event> Optional<E> awaitEvent(Class<E> type, Duration timeout) {
        return awaitEvent(type, timeout, r -> { });
    }

    /** Answers a device-to-host control request with {@code data} (the data stage). */
    void reply(Event.Setup setup, MemorySegment data);

    /**
     * Receives the data stage of a host-to-device control request and acknowledges it.
     *
     * @return bytes received (at most {@code wLength} and {@code dst.byteSize()})
     */
    int receive(Event.Setup setup, MemorySegment dst);

    /** Acknowledges a host-to-device control request that has no data stage (the status stage). */
    void acknowledge(Event.Setup setup);

    /** Stalls the control request: the host sees EPIPE. */
    void stall(Event.Setup setup);

    /** Whether {@link #close()} has been called. */
    boolean isClosed();

    @Override
    void close();
}
