package dev.gadget4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import dev.gadget4j.jfr.GadgetEvents;
import dev.gadget4j.linux.sys.Constants;
import dev.gadget4j.linux.sys.Fd;
import dev.gadget4j.linux.sys.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transfer events of the Linux classic and AIO paths, without FunctionFS: {@link ClassicIo} on
 * an eventfd and {@link AioQueue} on a memfd, which take these calls as endpoint files do (the
 * DMABUF path and ep0 need the kernel: {@code LinuxJfrEventsVmTest}). A write is the IN
 * direction, a read the OUT one; a call the kernel fails reports its errno.
 */
class LinuxJfrEventsTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    @Test
    void recording_reportsClassicAndAioTransfers_withTheirFields() throws Exception {
        Path file = dir.resolve("events.jfr");
        try (Recording r = new Recording()) {
            r.enable("dev.gadget4j.Transfer");
            r.start();
            traffic();
            r.stop();
            r.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals("dev.gadget4j.Transfer"))
                .sorted(Comparator.comparing(RecordedEvent::getStartTime)).toList();
        assertEquals(List.of("eventfd classic IN 8 OK", "eventfd classic OUT 8 OK", "eventfd classic OUT 0 EAGAIN",
                        "memfd aio IN 4096 OK", "memfd aio OUT 4096 OK"),
                events.stream().map(e -> e.getString("endpoint") + " " + e.getString("path") + " "
                        + e.getString("direction") + " " + e.getLong("bytes") + " " + e.getString("status")).toList());
        for (RecordedEvent e : events) {
            assertTrue(e.getDuration("latency").toNanos() > 0, e.toString());
        }
    }

    @Test
    void noRecording_theSameCallsReportNothing_andReadNoClock() throws Exception {
        assertEquals(0, GadgetEvents.start(), "no recording: no System.nanoTime for the latency");
        traffic();
    }

    private static void traffic() {
        try (Fd efd = Fd.eventfd(0, Constants.EFD_NONBLOCK, "eventfd");
             Fd memfd = Fd.adopt(Libc.memfdCreate("aio", Constants.MFD_CLOEXEC), "memfd");
             Arena arena = Arena.ofConfined()) {
            ClassicIo io = new ClassicIo(efd, "eventfd", new BlockedCalls("eventfd"), true);
            MemorySegment one = arena.allocate(ValueLayout.JAVA_LONG);
            one.set(ValueLayout.JAVA_LONG, 0, 1);
            assertEquals(8, io.write(one));
            assertEquals(8, io.read(one));
            assertEquals(Errno.EAGAIN, assertThrows(GadgetException.class, () -> io.read(one)).errno());
            AioQueue aio = new AioQueue(memfd, "memfd", new BlockedCalls("memfd"));
            MemorySegment page = arena.allocate(4096, 4096);
            assertEquals(4096, aio.submit(page, 4096, false, null).await(WAIT));
            assertEquals(4096, aio.submit(page, 4096, true, null).await(WAIT));
            aio.close();
        }
    }
}
