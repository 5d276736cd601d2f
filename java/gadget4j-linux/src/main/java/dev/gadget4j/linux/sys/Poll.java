package dev.gadget4j.linux.sys;

import dev.gadget4j.Errno;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.List;

/**
 * {@code poll(2)} with a deadline: EINTR restarts with the time that is left, timeouts longer than
 * poll's {@code int} milliseconds are served in pieces, and a negative timeout waits forever.
 * The polled {@link Fd}s are acquired for the duration (see {@link OwnedHandle}).
 */
public final class Poll {
    private static final long POLL_MAX_MILLIS = Integer.MAX_VALUE;
    /** Beyond this (about 146 years) a deadline in nanoTime units would overflow: wait forever. */
    private static final long FOREVER_MILLIS = Long.MAX_VALUE / 2_000_000L;

    private Poll() {
    }

    /** Waits for {@code events} on one fd: the returned events, 0 on timeout. */
    public static int poll(Fd fd, int events, long timeoutMillis) {
        int[] revents = new int[1];
        poll(List.of(fd), new int[] {events}, revents, timeoutMillis);
        return revents[0];
    }

    /** {@link #poll(Fd, int, long)} with a {@link Duration}; null waits forever. */
    public static int poll(Fd fd, int events, Duration timeout) {
        return poll(fd, events, timeout == null ? -1 : Math.max(0, millisCeil(timeout)));
    }

    /**
     * Waits until one of {@code fds} is ready: fills {@code revents} and returns the number of
     * ready fds, 0 on timeout.
     */
    public static int poll(List<Fd> fds, int[] events, int[] revents, long timeoutMillis) {
        int n = fds.size();
        if (events.length != n || revents.length != n) {
            throw new IllegalArgumentException("fds, events and revents differ in length");
        }
        int acquired = 0;
        try (Arena arena = Arena.ofConfined()) {
            long stride = IoAbi.PollFd.LAYOUT.byteSize();
            MemorySegment array = arena.allocate(IoAbi.PollFd.LAYOUT, Math.max(1, n));
            for (Fd fd : fds) {
                fd.acquire("poll");
                MemorySegment slot = array.asSlice(acquired * stride, stride);
                IoAbi.PollFd.FD.set(slot, fd.number());
                IoAbi.PollFd.EVENTS.set(slot, (short) events[acquired]);
                acquired++;
            }
            String object = n == 1 ? fds.getFirst().name() : n + " files";
            boolean forever = timeoutMillis < 0 || timeoutMillis >= FOREVER_MILLIS;
            long deadline = forever ? 0 : System.nanoTime() + timeoutMillis * 1_000_000L;
            int ready;
            while (true) {
                int wait = forever ? -1 : (int) Math.min(POLL_MAX_MILLIS, remainingMillis(deadline));
                ready = Libc.pollOnce(array, n, wait, object);
                boolean pieceElapsed = ready == 0 && !forever && remainingMillis(deadline) > 0;
                if (ready != -Errno.EINTR.number() && !pieceElapsed) {
                    break;
                }
            }
            for (int i = 0; i < n; i++) {
                revents[i] = Short.toUnsignedInt((short) IoAbi.PollFd.REVENTS.get(array.asSlice(i * stride, stride)));
            }
            return ready;
        } finally {
            for (int i = 0; i < acquired; i++) {
                fds.get(i).release();
            }
        }
    }

    private static long remainingMillis(long deadline) {
        long left = deadline - System.nanoTime();
        return left <= 0 ? 0 : (left + 999_999) / 1_000_000;
    }

    private static long millisCeil(Duration d) {
        try {
            long ms = d.toMillis();
            return d.minusMillis(ms).isZero() ? ms : ms + 1;
        } catch (ArithmeticException e) {
            return FOREVER_MILLIS;
        }
    }
}
