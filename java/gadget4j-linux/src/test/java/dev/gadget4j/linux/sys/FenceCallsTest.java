package dev.gadget4j.linux.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.gadget4j.Errno;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The failure paths of the fence calls that run without errno capture, on files that are no
 * sync_file or DMABUF (none needed): each still reports the kernel's errno, learnt by asking
 * again, and leaves no file behind.
 */
@ExtendWith(NoLeaks.class)
class FenceCallsTest {

    @Test
    void requests_writtenAsWords_holdEachFieldWhereTheUapiHasIt() {
        FenceScratch s = FenceScratch.current();
        s.transferRequest(0x1234_5678, 0x1_0000_4000L);
        assertEquals(0x1234_5678, s.transferReq().get(ValueLayout.JAVA_INT, 0), "fd");
        assertEquals(0, s.transferReq().get(ValueLayout.JAVA_INT, 4), "flags");
        assertEquals(0x1_0000_4000L, s.transferReq().get(ValueLayout.JAVA_LONG_UNALIGNED, 8), "length");
        s.exportRequest(0x3);
        assertEquals(0x3, s.exportReq().get(ValueLayout.JAVA_INT, 0), "flags");
        assertEquals(-1, s.exportReq().get(ValueLayout.JAVA_INT, 4), "fd");
        assertEquals(-1, s.exportedFd());
    }

    @Test
    void fileInfo_onAFileThatIsNoSyncFile_returnsMinusEnotty() {
        int fd = Libc.open("/dev/null", Constants.O_CLOEXEC, 0);
        try {
            assertEquals(-Errno.ENOTTY.number(), FenceCalls.fileInfo(fd, FenceScratch.current()));
        } finally {
            assertEquals(0, FenceCalls.closeSyncFile(fd));
        }
    }

    @Test
    void fileInfo_onANumberThatIsNoFile_returnsMinusEbadf() {
        assertEquals(-Errno.EBADF.number(), FenceCalls.fileInfo(-1, FenceScratch.current()));
    }

    @Test
    void closeSyncFile_onANumberThatIsNoFile_returnsMinusOne() {
        assertEquals(-1, FenceCalls.closeSyncFile(-1));
    }

    @Test
    void exportSyncFile_fromAFileThatIsNoDmaBuf_returnsMinusEnotty() {
        int fd = Libc.open("/dev/null", Constants.O_CLOEXEC, 0);
        try {
            assertEquals(-Errno.ENOTTY.number(),
                    FenceCalls.exportSyncFile(fd, Constants.DMA_BUF_SYNC_RW, FenceScratch.current()));
        } finally {
            assertEquals(0, FenceCalls.closeSyncFile(fd));
        }
    }

    @Test
    void exportSyncFile_fromANumberThatIsNoFile_returnsMinusEbadf() {
        assertEquals(-Errno.EBADF.number(),
                FenceCalls.exportSyncFile(-1, Constants.DMA_BUF_SYNC_RW, FenceScratch.current()));
    }

    @Test
    void poll_withMoreFdsThanTheLimit_returnsMinusEinval_withAndWithoutTimeout() {
        FenceScratch s = FenceScratch.current();
        assertEquals(-Errno.EINVAL.number(), FenceCalls.poll(Integer.MAX_VALUE, 0, s));
        assertEquals(-Errno.EINVAL.number(), FenceCalls.poll(Integer.MAX_VALUE, 1000, s));
    }

    @Test
    void poll_interruptedBySignal_returnsMinusEintr() throws Exception {
        assertNull(WakeSignal.problem());
        try (WakeFd never = new WakeFd("eventfd (never signalled)")) {
            AtomicInteger result = new AtomicInteger(1);
            long[] self = new long[1];
            Thread t = Thread.ofPlatform().start(() -> {
                self[0] = WakeSignal.self();
                FenceScratch s = FenceScratch.current();
                s.pollFd(0, never.fd().number(), Constants.POLLIN);
                result.set(FenceCalls.poll(1, 60_000, s));
            });
            // signalled until it returns: a signal that lands before the poll is consumed by the handler
            while (!t.join(java.time.Duration.ofMillis(20))) {
                if (self[0] != 0) {
                    WakeSignal.wake(self[0]);
                }
            }
            assertEquals(-Errno.EINTR.number(), result.get());
        }
    }
}
