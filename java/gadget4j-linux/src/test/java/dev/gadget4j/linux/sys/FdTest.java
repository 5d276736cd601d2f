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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoLeaks.class)
class FdTest {

    @Test
    void openOfMissingFileNamesEnoentAndThePath() {
        GadgetException e = assertThrows(GadgetException.class,
                () -> Fd.open("/nonexistent/gadget4j-test", Constants.O_RDONLY));
        assertEquals(Errno.ENOENT, e.errno());
        assertEquals("open", e.operation());
        assertEquals("/nonexistent/gadget4j-test", e.object());
        assertTrue(e.getMessage().contains("ENOENT (2)"), e.getMessage());
    }

    @Test
    void ioctlOnARegularFileIsEnottyNamedAfterTheRequest() {
        try (Fd memfd = Memfd.create("ioctl-test", 4096)) {
            GadgetException e = assertThrows(GadgetException.class, () -> memfd.ioctl(Ioctl.FUNCTIONFS_FIFO_STATUS, 0));
            assertEquals(Errno.ENOTTY, e.errno());
            assertEquals("FUNCTIONFS_FIFO_STATUS", e.operation());
            assertTrue(e.getMessage().startsWith("FUNCTIONFS_FIFO_STATUS on memfd:ioctl-test failed: ENOTTY (25)"),
                    e.getMessage());
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment req = arena.allocate(FunctionFsAbi.DmabufTransferReq.LAYOUT);
                assertEquals(Errno.ENOTTY, assertThrows(GadgetException.class,
                        () -> memfd.ioctl(Ioctl.FUNCTIONFS_DMABUF_TRANSFER, req)).errno());
            }
        }
    }

    @Test
    void closeIsIdempotentAndLaterCallsFailWithEbadf() {
        Fd fd = Memfd.create("close-test", 4096);
        int number = fd.number();
        fd.close();
        fd.close();
        assertFalse(fd.isOpen());
        assertFalse(NoLeaks.openFds().containsKey(number) && NoLeaks.openFds().get(number).contains("close-test"));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(16);
            GadgetException e = assertThrows(GadgetException.class, () -> fd.read(buf));
            assertEquals(Errno.EBADF, e.errno());
            assertEquals("read", e.operation());
            assertTrue(e.getMessage().contains("was closed"), e.getMessage());
            assertEquals(Errno.EBADF, assertThrows(GadgetException.class, () -> fd.ioctl(Ioctl.FUNCTIONFS_CLEAR_HALT, 0)).errno());
            assertEquals(Errno.EBADF, assertThrows(GadgetException.class, () -> Mapping.map(fd, 4096)).errno());
        }
        assertTrue(fd.toString().endsWith("(closed)"));
    }

    @Test
    void aClosedFdNeverTouchesTheFileThatReusedItsNumber() {
        Fd old = Memfd.create("old", 4096);
        int number = old.number();
        old.close();
        try (Fd reused = Memfd.create("reused", 4096); Arena arena = Arena.ofConfined()) {
            assertEquals(number, reused.number(), "the kernel hands out the lowest free number");
            MemorySegment data = arena.allocateFrom("payload");
            assertThrows(GadgetException.class, () -> old.write(data));
            assertThrows(GadgetException.class, () -> old.truncate(8192));
            MemorySegment back = arena.allocate(16);
            assertEquals(16, reused.pread(back, 0));
            assertEquals(-1, back.mismatch(arena.allocate(16)), "nothing was written through the stale Fd");
            assertEquals(0, reused.pread(arena.allocate(16), 8192 - 16), "still 4096 bytes: the stale truncate never ran");
        }
    }

    @Test
    void closeDuringACallDefersTheKernelCloseUntilTheCallReturns() {
        Fd fd = Memfd.create("deferred", 4096);
        int number = fd.number();
        fd.acquire("test");
        fd.close();
        assertFalse(fd.isOpen());
        assertTrue(NoLeaks.openFds().get(number).contains("memfd:deferred"), "still open while in use");
        fd.release();
        String now = NoLeaks.openFds().get(number);
        assertTrue(now == null || !now.contains("memfd:deferred"), "closed once the call returned");
    }

    /** Counts kernel releases of a handle that holds nothing. */
    private static final class Counting extends OwnedHandle {
        final AtomicInteger closes = new AtomicInteger();

        Counting() {
            super("counting");
        }

        @Override
        String closedDetail() {
            return "closed";
        }

        @Override
        void closeHandle() {
            closes.incrementAndGet();
        }
    }

    @Test
    void racingClosesAndCallsReleaseExactlyOnce() throws InterruptedException {
        for (int round = 0; round < 200; round++) {
            Counting h = new Counting();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                boolean closer = t % 2 == 0;
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    if (closer) {
                        h.close();
                        return;
                    }
                    for (int i = 0; i < 50; i++) {
                        try {
                            h.acquire("call");
                        } catch (GadgetException e) {
                            return;
                        }
                        h.release();
                    }
                }));
            }
            start.countDown();
            for (Thread t : threads) {
                t.join();
            }
            assertEquals(1, h.closes.get(), "round " + round);
        }
    }

    @Test
    void readWriteAndNonBlockingFlag() throws Exception {
        Path file = Files.createTempFile("gadget4j-fd", ".bin");
        try (Fd fd = Fd.open(file.toString(), Constants.O_RDWR); Arena arena = Arena.ofConfined()) {
            assertEquals(5, fd.write(arena.allocateFrom(ValueLayout.JAVA_BYTE, (byte) 1, (byte) 2, (byte) 3, (byte) 4, (byte) 5)));
            MemorySegment buf = arena.allocate(8);
            assertEquals(3, fd.pread(buf.asSlice(0, 3), 2));
            assertEquals(3, buf.get(ValueLayout.JAVA_BYTE, 0));
            assertEquals(0, fd.read(buf), "at end of file");
            fd.setNonBlocking(true);
            assertTrue((fd.fcntl(Constants.F_GETFL, 0) & Constants.O_NONBLOCK) != 0);
            fd.setNonBlocking(false);
            assertEquals(0, fd.fcntl(Constants.F_GETFL, 0) & Constants.O_NONBLOCK);
            assertEquals(Constants.FD_CLOEXEC, fd.fcntl(Constants.F_GETFD, 0) & Constants.FD_CLOEXEC, "opened close-on-exec");
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void unknownErrnoBecomesEioAndSaysSo() {
        GadgetException e = Libc.error("op", "obj", 512, null);
        assertEquals(Errno.EIO, e.errno());
        assertTrue(e.getMessage().contains("errno 512"), e.getMessage());
    }
}
