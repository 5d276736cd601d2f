package dev.gadget4j.linux.sys;

import dev.gadget4j.GadgetException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A non-blocking {@code eventfd} that wakes threads polling it beside their own fd: readable from
 * {@link #signal()} until {@link #drain()}. Neither call throws: EAGAIN means it already was
 * readable (signal) or drained (drain), EBADF that it was closed, and then nobody waits on it.
 */
public final class WakeFd implements AutoCloseable {
    private final Fd fd;
    /** The counter value written (1) and the buffer a drain reads into; the read value is never used. */
    private final MemorySegment one;
    private final MemorySegment drained;

    public WakeFd(String name) {
        fd = Fd.eventfd(0, Constants.EFD_NONBLOCK, name);
        Arena arena = Arena.ofAuto(); // freed with this object: a signal may race with close
        one = arena.allocate(ValueLayout.JAVA_LONG);
        one.set(ValueLayout.JAVA_LONG, 0, 1);
        drained = arena.allocate(ValueLayout.JAVA_LONG);
    }

    /** The eventfd, to poll next to another fd. */
    public Fd fd() {
        return fd;
    }

    /** Makes it readable (it stays so until {@link #drain()}). */
    public void signal() {
        try {
            fd.write(one);
        } catch (GadgetException ignored) {
            // EAGAIN: the counter is full, so it is readable anyway; EBADF: closed, nobody to wake
        }
    }

    /** Makes it not readable again. */
    public void drain() {
        try {
            fd.read(drained);
        } catch (GadgetException ignored) {
            // EAGAIN: not readable; EBADF: closed
        }
    }

    @Override
    public void close() {
        fd.close();
    }
}
