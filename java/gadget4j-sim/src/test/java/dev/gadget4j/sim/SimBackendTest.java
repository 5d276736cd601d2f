package dev.gadget4j.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gadget4j.Backend;
import dev.gadget4j.Backends;
import dev.gadget4j.DmaBuf;
import dev.gadget4j.Endpoint;
import dev.gadget4j.Errno;
import dev.gadget4j.Event;
import dev.gadget4j.FunctionFs;
import dev.gadget4j.Gadget;
import dev.gadget4j.GadgetException;
import dev.gadget4j.GadgetSpec;
import dev.gadget4j.HostDevice;
import dev.gadget4j.Speed;
import dev.gadget4j.descriptor.Descriptors;
import dev.gadget4j.descriptor.Strings;
import java.lang.foreign.Arena;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What only the simulator can show: its clock, its options, event queue details, interrupts. */
class SimBackendTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private static Gadget started(Backend b) {
        Gadget g = b.createGadget(GadgetSpec.builder().function("f").build());
        g.functionFs("f").start(Descriptors.sourceSink(), Strings.en("sim test"));
        return g;
    }

    private static List<Event> drain(FunctionFs f) {
        List<Event> events = new ArrayList<>();
        for (Optional<Event> e = f.nextEvent(Duration.ZERO); e.isPresent(); e = f.nextEvent(Duration.ZERO)) {
            events.add(e.get());
        }
        return events;
    }

    @Test
    void serviceLoader_findsSim_andAutoPicksIt() {
        assertTrue(Backends.list().stream().anyMatch(s -> s.name().equals("sim") && s.available()));
        try (Backend b = Backends.open("sim")) {
            assertInstanceOf(SimBackend.class, b);
        }
    }

    @Test
    void events_coalesceLikeFunctionFs_enableDiscardsBind() {
        try (SimBackend b = SimBackend.open(); Gadget g = started(b)) {
            g.bind();
            assertEquals(List.of(new Event.Enable()), drain(g.functionFs("f")));
        }
    }

    @Test
    void events_powerManagementSurvivesEnable_resumeDiscardsSuspend() {
        try (SimBackend b = SimBackend.open(); Gadget g = started(b)) {
            g.bind();
            drain(g.functionFs("f"));
            b.host().suspend();
            assertEquals(List.of(new Event.Suspend()), drain(g.functionFs("f")));
            b.host().suspend();
            b.host().resume();
            assertEquals(List.of(new Event.Resume()), drain(g.functionFs("f")));
        }
    }

    @Test
    void clock_advance_expiresTheFiveSecondLimitWithoutSleeping() throws Exception {
        SimClock clock = new SimClock();
        try (SimBackend b = SimBackend.builder().clock(clock).build(); Gadget g = started(b);
             DmaBuf buf = b.dmaBufs().allocate(4096)) {
            g.bind();
            Endpoint in = g.functionFs("f").endpoint(1);
            Endpoint out = g.functionFs("f").endpoint(2);
            in.attach(buf);
            out.attach(buf);
            in.transfer(buf, 4096);
            long start = System.nanoTime();
            CompletableFuture<Object> second = CompletableFuture.supplyAsync(() -> out.transfer(buf, 4096));
            Thread.sleep(100);
            assertFalse(second.isDone());
            clock.advance(Duration.ofMillis(4500));
            Thread.sleep(100);
            assertFalse(second.isDone(), "4.7 s is not 5 s");
            clock.advance(Duration.ofMillis(600));
            Exception e = assertThrows(Exception.class, () -> second.get(2, TimeUnit.SECONDS));
            assertEquals(Errno.EBUSY, ((GadgetException) e.getCause()).errno());
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(4), "must not have slept 5 s");
        }
    }

    @Test
    void udcWithoutScatterGather_attachEPERM() {
        try (SimBackend b = SimBackend.builder().scatterGather(false).build(); Gadget g = started(b);
             DmaBuf buf = b.dmaBufs().allocate(4096)) {
            g.bind();
            Endpoint in = g.functionFs("f").endpoint(1);
            GadgetException e = assertThrows(GadgetException.class, () -> in.attach(buf));
            assertEquals(Errno.EPERM, e.errno());
            assertTrue(e.getMessage().contains("scatter-gather"), e.getMessage());
        }
    }

    @Test
    void interrupt_ofBlockedRead_EINTR() throws Exception {
        try (SimBackend b = SimBackend.open(); Gadget g = started(b); Arena arena = Arena.ofShared()) {
            g.bind();
            Endpoint out = g.functionFs("f").endpoint(2);
            CompletableFuture<Thread> reader = new CompletableFuture<>();
            CompletableFuture<Integer> result = new CompletableFuture<>();
            Thread t = Thread.ofPlatform().start(() -> {
                reader.complete(Thread.currentThread());
                try {
                    result.complete(out.read(arena.allocate(64)));
                } catch (Throwable e) {
                    result.completeExceptionally(e);
                }
            });
            Thread.sleep(100);
            t.interrupt();
            Exception e = assertThrows(Exception.class, () -> result.get(2, TimeUnit.SECONDS));
            assertEquals(Errno.EINTR, ((GadgetException) e.getCause()).errno());
        }
    }

    @Test
    void hostSpeed_decidesMaxPacketSize() {
        for (Speed speed : Speed.values()) {
            try (SimBackend b = SimBackend.builder().hostSpeed(speed).build(); Gadget g = started(b)) {
                g.bind();
                try (HostDevice d = b.host().open(0x0525, 0xa4a4, WAIT)) {
                    assertEquals(speed, d.info().speed());
                    byte[] ep = g.functionFs("f").endpoint(1).descriptor();
                    assertEquals(speed.bulkMaxPacketSize(), (ep[4] & 0xff) | (ep[5] & 0xff) << 8);
                }
            }
        }
    }

    @Test
    void dmaBufFromAnotherBackend_EBADF() {
        try (SimBackend a = SimBackend.open(); SimBackend b = SimBackend.open(); Gadget g = started(a);
             DmaBuf foreign = b.dmaBufs().allocate(4096)) {
            g.bind();
            Endpoint in = g.functionFs("f").endpoint(1);
            assertEquals(Errno.EBADF, assertThrows(GadgetException.class, () -> in.attach(foreign)).errno());
        }
    }

    @Test
    void secondGadget_cannotTakeTheUdc_EBUSY() {
        try (SimBackend b = SimBackend.open(); Gadget g = started(b)) {
            g.bind();
            Gadget other = b.createGadget(GadgetSpec.builder().name("other").function("f").build());
            other.functionFs("f").start(Descriptors.sourceSink(), Strings.en("x"));
            assertEquals(Errno.EBUSY, assertThrows(GadgetException.class, other::bind).errno());
            g.unbind();
            other.bind();
            assertTrue(other.isBound());
        }
    }
}
