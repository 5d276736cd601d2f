package dev.gadget4j.linux.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoLeaks.class)
class AioTest {
    private static final int LEN = 8192;
    private Path file;

    @BeforeEach
    void createFile() throws Exception {
        file = Files.createTempFile("gadget4j-aio", ".bin");
    }

    @AfterEach
    void deleteFile() throws Exception {
        Files.deleteIfExists(file);
    }

    @Test
    void pwriteThenPreadThroughTheContext() {
        try (Aio aio = Aio.setup(8, "aio"); Fd fd = Fd.open(file.toString(), Constants.O_RDWR);
                Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(LEN, 4096);
            for (int i = 0; i < LEN; i++) {
                out.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 7));
            }
            MemorySegment iocb = arena.allocate(IoAbi.Iocb.LAYOUT);
            MemorySegment events = arena.allocate(IoAbi.IoEvent.LAYOUT, 4);
            Aio.prepWrite(iocb, fd, out, 0, 42);
            aio.submit(iocb);
            assertEquals(1, aio.getEvents(1, events, 5_000_000_000L));
            assertEquals(42L, IoAbi.IoEvent.data(events, 0));
            assertEquals(iocb.address(), IoAbi.IoEvent.obj(events, 0));
            assertEquals((long) LEN, IoAbi.IoEvent.res(events, 0));

            MemorySegment in = arena.allocate(LEN, 4096);
            Aio.prepRead(iocb, fd, in, 0, 43);
            aio.submit(iocb);
            assertEquals(1, aio.getEvents(1, events, -1));
            assertEquals(43L, IoAbi.IoEvent.data(events, 0));
            assertEquals((long) LEN, IoAbi.IoEvent.res(events, 0));
            assertEquals(-1, out.mismatch(in));
        }
    }

    @Test
    void getEventsTimesOut() {
        try (Aio aio = Aio.setup(1, "aio"); Arena arena = Arena.ofConfined()) {
            MemorySegment events = arena.allocate(IoAbi.IoEvent.LAYOUT, 1);
            long t0 = System.nanoTime();
            assertEquals(0, aio.getEvents(1, events, 50_000_000L));
            assertTrue(System.nanoTime() - t0 >= 45_000_000L);
        }
    }

    @Test
    void completionSignalsTheEventFd() {
        try (Aio aio = Aio.setup(4, "aio"); Fd fd = Fd.open(file.toString(), Constants.O_RDWR);
                Fd efd = Fd.eventfd(0, 0, "aio-eventfd"); Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(512, 512);
            MemorySegment iocb = arena.allocate(IoAbi.Iocb.LAYOUT);
            Aio.prepWrite(iocb, fd, buf, 0, 1);
            Aio.notifyEventFd(iocb, efd);
            aio.submit(iocb);
            assertEquals(Constants.POLLIN, Poll.poll(efd, Constants.POLLIN, 5000));
            MemorySegment events = arena.allocate(IoAbi.IoEvent.LAYOUT, 1);
            assertEquals(1, aio.getEvents(1, events, 0));
            assertFalse(aio.cancel(iocb, events), "completed requests cannot be cancelled");
        }
    }

    @Test
    void writeToAReadOnlyFdIsRefusedAtSubmit() {
        try (Aio aio = Aio.setup(1, "aio"); Fd fd = Fd.open(file.toString(), Constants.O_RDONLY);
                Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(512);
            MemorySegment iocb = arena.allocate(IoAbi.Iocb.LAYOUT);
            Aio.prepWrite(iocb, fd, buf, 0, 1);
            GadgetException e = assertThrows(GadgetException.class, () -> aio.submit(iocb));
            assertEquals(Errno.EBADF, e.errno(), "write to a read-only fd is refused at submit");
            assertEquals("io_submit", e.operation());
        }
    }

    @Test
    void closedContextAndClosedFdAreEbadf() {
        Aio aio = Aio.setup(1, "aio");
        aio.close();
        aio.close();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment iocb = arena.allocate(IoAbi.Iocb.LAYOUT);
            assertEquals(Errno.EBADF, assertThrows(GadgetException.class, () -> aio.submit(iocb)).errno());
            Fd fd = Fd.open(file.toString(), Constants.O_RDONLY);
            fd.close();
            assertEquals(Errno.EBADF, assertThrows(GadgetException.class,
                    () -> Aio.prepRead(iocb, fd, arena.allocate(8), 0, 0)).errno());
        }
    }

    @Test
    void iocbSet_writesEachFieldAsTheLayoutReadsIt_andZeroesTheRest() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment iocb = arena.allocate(IoAbi.Iocb.LAYOUT);
            iocb.fill((byte) 0xa5); // what a slot's previous request may have left
            IoAbi.Iocb.set(iocb, 0x1122_3344_5566_7788L, (short) Constants.IOCB_CMD_PWRITE, 0x7654_3210,
                    0x0000_7f00_1234_5000L, 65536, 4096);
            assertEquals(0x1122_3344_5566_7788L, (long) IoAbi.Iocb.AIO_DATA.get(iocb));
            assertEquals((short) Constants.IOCB_CMD_PWRITE, (short) IoAbi.Iocb.AIO_LIO_OPCODE.get(iocb));
            assertEquals(0x7654_3210, (int) IoAbi.Iocb.AIO_FILDES.get(iocb));
            assertEquals(0x0000_7f00_1234_5000L, (long) IoAbi.Iocb.AIO_BUF.get(iocb));
            assertEquals(65536L, (long) IoAbi.Iocb.AIO_NBYTES.get(iocb));
            assertEquals(4096L, (long) IoAbi.Iocb.AIO_OFFSET.get(iocb));
            assertEquals(0, (int) IoAbi.Iocb.AIO_KEY.get(iocb));
            assertEquals(0, (int) IoAbi.Iocb.AIO_RW_FLAGS.get(iocb));
            assertEquals(0, (short) IoAbi.Iocb.AIO_REQPRIO.get(iocb));
            assertEquals(0, (int) IoAbi.Iocb.AIO_FLAGS.get(iocb));
            assertEquals(0, (int) IoAbi.Iocb.AIO_RESFD.get(iocb));
            assertEquals(0L, iocb.get(ValueLayout.JAVA_LONG, 48), "aio_reserved2");
        }
    }
}
