package dev.gadget4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import dev.gadget4j.linux.sys.Fd;
import dev.gadget4j.linux.sys.WakeSignal;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The wake-up behind closing an endpoint, on a file every Linux host has: a read of an eventfd
 * whose counter is 0 sleeps in the kernel until a write, as an endpoint read sleeps until ENABLE.
 */
class BlockedCallsTest {
    @Test
    void theJdkSignalHandlerIsInPlace() {
        assertNull(WakeSignal.problem());
    }

    @Test
    void shutDown_wakesAReadAsleepInTheKernel_EBADF() throws Exception {
        try (Fd efd = Fd.eventfd(0, 0, "eventfd")) {
            BlockedCalls blocked = new BlockedCalls("eventfd");
            ClassicIo io = new ClassicIo(efd, "eventfd", blocked);
            AtomicReference<Throwable> outcome = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    io.read(Arena.ofAuto().allocate(ValueLayout.JAVA_LONG));
                    outcome.set(new AssertionError("read returned"));
                } catch (Throwable e) {
                    outcome.set(e);
                }
            }, "blocked-reader");
            t.setDaemon(true);
            t.start();
            while (t.getState() != Thread.State.RUNNABLE || !registered(blocked)) {
                Thread.sleep(1); // until it is inside the call (a signal sent earlier is re-sent anyway)
            }
            blocked.shutDown();
            t.join(60_000); // a bound for the failure case only: a woken read is back within milliseconds
            assertFalse(t.isAlive(), "the read still sleeps after shutDown()");
            GadgetException e = assertInstanceOf(GadgetException.class, outcome.get());
            assertEquals(Errno.EBADF, e.errno());
            assertEquals("read", e.operation());
        }
    }

    @Test
    void afterShutDown_newCallsFailAtOnce_andStrayEintrIsRetried() {
        try (Fd efd = Fd.eventfd(0, 0, "eventfd"); Arena arena = Arena.ofConfined()) {
            BlockedCalls blocked = new BlockedCalls("eventfd");
            ClassicIo io = new ClassicIo(efd, "eventfd", blocked);
            MemorySegment one = arena.allocate(ValueLayout.JAVA_LONG);
            one.set(ValueLayout.JAVA_LONG, 0, 1);
            WakeSignal.wake(WakeSignal.self()); // a signal not sent by a close: the handler runs, nothing fails
            assertEquals(8, io.write(one));
            blocked.shutDown();
            assertEquals(Errno.EBADF, assertThrows(GadgetException.class, () -> io.read(one)).errno());
            blocked.shutDown(); // twice: harmless
        }
    }

    private static boolean registered(BlockedCalls blocked) {
        return blocked.registeredCount() > 0;
    }
}
