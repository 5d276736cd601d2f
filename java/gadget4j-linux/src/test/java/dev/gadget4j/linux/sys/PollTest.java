package dev.gadget4j.linux.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoLeaks.class)
class PollTest {

    private static void signal(Fd eventFd) {
        try (Arena arena = Arena.ofConfined()) {
            eventFd.write(arena.allocateFrom(ValueLayout.JAVA_LONG, 1L));
        }
    }

    @Test
    void timesOutAfterTheTimeout() {
        try (Fd efd = Fd.eventfd(0, 0, "eventfd")) {
            long t0 = System.nanoTime();
            assertEquals(0, Poll.poll(efd, Constants.POLLIN, 60));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 55 && ms < 5_000, ms + " ms");
            assertEquals(0, Poll.poll(efd, Constants.POLLIN, 0), "zero: just a check");
        }
    }

    @Test
    void reportsReadinessAndWaitsForeverWhenAsked() throws InterruptedException {
        try (Fd efd = Fd.eventfd(0, 0, "eventfd")) {
            Thread t = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                signal(efd);
            });
            assertEquals(Constants.POLLIN, Poll.poll(efd, Constants.POLLIN, (Duration) null) & Constants.POLLIN);
            t.join();
            assertEquals(Constants.POLLIN, Poll.poll(efd, Constants.POLLIN, Duration.ofDays(365 * 1000)));
        }
    }

    @Test
    void closedFdIsEbadf() {
        Fd efd = Fd.eventfd(0, 0, "eventfd");
        efd.close();
        GadgetException e = assertThrows(GadgetException.class, () -> Poll.poll(efd, Constants.POLLIN, 10));
        assertEquals(Errno.EBADF, e.errno());
        assertEquals("poll", e.operation());
    }

    @Test
    void eventfdReadConsumesTheCount() {
        try (Fd efd = Fd.eventfd(3, Constants.EFD_NONBLOCK, "eventfd"); Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(ValueLayout.JAVA_LONG);
            assertEquals(8, efd.read(buf));
            assertEquals(3, buf.get(ValueLayout.JAVA_LONG, 0));
            assertEquals(Errno.EAGAIN, assertThrows(GadgetException.class, () -> efd.read(buf)).errno());
        }
    }
}
