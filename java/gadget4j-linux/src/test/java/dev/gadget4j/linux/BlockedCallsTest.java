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
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
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
        assertShutDownWakes(1);
    }

    @Test
    void shutDown_wakesMoreReadersThanOneChunkOfSlots() throws Exception {
        assertShutDownWakes(20); // slots come in chunks of 8: three chunks
    }

    /** {@code readers} threads asleep in an eventfd read all fail with EBADF once shutDown() returns. */
    private static void assertShutDownWakes(int readers) throws Exception {
        try (Fd efd = Fd.eventfd(0, 0, "eventfd")) {
            BlockedCalls blocked = new BlockedCalls("eventfd");
            ClassicIo io = new ClassicIo(efd, "eventfd", blocked, true);
            List<Thread> threads = new ArrayList<>();
            List<Throwable> outcomes = Collections.synchronizedList(new ArrayList<>());
            for (int i = 0; i < readers; i++) {
                Thread t = new Thread(() -> {
                    try {
                        io.read(Arena.ofAuto().allocate(ValueLayout.JAVA_LONG));
                        outcomes.add(new AssertionError("read returned"));
                    } catch (Throwable e) {
                        outcomes.add(e);
                    }
                }, "blocked-reader-" + i);
                t.setDaemon(true);
                t.start();
                threads.add(t);
            }
            while (blocked.registeredCount() < readers) {
                Thread.sleep(1); // until all are inside the call (a signal sent earlier is re-sent anyway)
            }
            blocked.shutDown();
            for (Thread t : threads) {
                t.join(60_000); // a bound for the failure case only: a woken read is back within milliseconds
                assertFalse(t.isAlive(), t.getName() + " still sleeps after shutDown()");
            }
            assertEquals(readers, outcomes.size());
            for (Throwable e : outcomes) {
                GadgetException g = assertInstanceOf(GadgetException.class, e);
                assertEquals(Errno.EBADF, g.errno());
                assertEquals("read", g.operation());
            }
            assertEquals(0, blocked.registeredCount(), "every slot is free again");
        }
    }

    @Test
    void afterShutDown_newCallsFailAtOnce_andStrayEintrIsRetried() {
        try (Fd efd = Fd.eventfd(0, 0, "eventfd"); Arena arena = Arena.ofConfined()) {
            BlockedCalls blocked = new BlockedCalls("eventfd");
            ClassicIo io = new ClassicIo(efd, "eventfd", blocked, true);
            MemorySegment one = arena.allocate(ValueLayout.JAVA_LONG);
            one.set(ValueLayout.JAVA_LONG, 0, 1);
            WakeSignal.wake(WakeSignal.self()); // a signal not sent by a close: the handler runs, nothing fails
            assertEquals(8, io.write(one));
            blocked.shutDown();
            assertEquals(Errno.EBADF, assertThrows(GadgetException.class, () -> io.read(one)).errno());
            blocked.shutDown(); // twice: harmless
        }
    }
}
