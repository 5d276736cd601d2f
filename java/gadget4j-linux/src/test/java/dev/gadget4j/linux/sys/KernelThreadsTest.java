package dev.gadget4j.linux.sys;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class KernelThreadsTest {
    private static final long TRANSFER = Ioctl.FUNCTIONFS_DMABUF_TRANSFER;

    @Test
    void asleepInIoctl_parsesTheSyscallFile() {
        String line = "16 0x7 0x" + Long.toHexString(TRANSFER) + " 0x7ffd1000 0x0 0x0 0x0 0x7ffd0ff0 0x7f0012345678";
        assertTrue(KernelThreads.parseAsleepInIoctl(line, 16, 7, TRANSFER));
        assertFalse(KernelThreads.parseAsleepInIoctl(line, 16, 8, TRANSFER), "another fd");
        assertFalse(KernelThreads.parseAsleepInIoctl(line, 29, 7, TRANSFER), "another syscall");
        assertFalse(KernelThreads.parseAsleepInIoctl("running", 16, 7, TRANSFER));
        assertFalse(KernelThreads.parseAsleepInIoctl("", 16, 7, TRANSFER));
    }

    @Test
    void asleepInIoctl_isFalseForARunningThreadOrNone() {
        assertFalse(KernelThreads.asleepInIoctl(KernelThreads.gettid(), 0, TRANSFER), "this thread runs");
        assertFalse(KernelThreads.asleepInIoctl(Integer.MAX_VALUE, 0, TRANSFER), "no such thread");
    }
}
