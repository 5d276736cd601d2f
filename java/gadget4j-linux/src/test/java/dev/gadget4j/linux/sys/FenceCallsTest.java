package dev.gadget4j.linux.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gadget4j.Errno;
import org.junit.jupiter.api.Test;

/**
 * The failure paths of the fence calls that run without errno capture, on files that are no
 * sync_file (no DMABUF needed): FILE_INFO still reports the kernel's errno, learnt by asking again.
 */
class FenceCallsTest {

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
}
