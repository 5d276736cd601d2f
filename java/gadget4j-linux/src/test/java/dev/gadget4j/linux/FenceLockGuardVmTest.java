package dev.gadget4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gadget4j.DmaBuf;
import dev.gadget4j.Endpoint;
import dev.gadget4j.Errno;
import dev.gadget4j.Event;
import dev.gadget4j.FunctionFs;
import dev.gadget4j.Gadget;
import dev.gadget4j.GadgetException;
import dev.gadget4j.GadgetSpec;
import dev.gadget4j.HostDevice;
import dev.gadget4j.Transfer;
import dev.gadget4j.descriptor.Descriptors;
import dev.gadget4j.descriptor.Direction;
import dev.gadget4j.descriptor.Strings;
import dev.gadget4j.descriptor.TransferType;
import dev.gadget4j.linux.sys.Ioctl;
import dev.gadget4j.linux.sys.KernelThreads;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The stock-kernel fence protection on the two kernel waits that end in a fence's lock, which
 * 6.12 keeps inside the attachment and frees with it (kernel patch 0003 moves it out): a
 * CPU-access SYNC START waiting for a pending transfer of the buffer, and a TRANSFER waiting for
 * another attachment's transfer of the same buffer. While such a transfer is pending, the caller
 * must wait in the library (on the transfer's sync_file, which a DETACH or close settles first),
 * not inside the kernel's wait: a DETACH or close that drops the attachment then frees nothing a
 * sleeper in the kernel still holds. The tests see where the waiting thread sleeps
 * ({@code /proc/self/task/TID/syscall}), then drop the attachment and check that the wait ends
 * and the call goes on. Where the thread sleeps inside the kernel's wait (the protection
 * missing), the host completes the transfer instead of dropping the attachment, so that the
 * failing test does not provoke the use-after-free itself. Needs the VM's UDC with
 * scatter-gather and /dev/udmabuf.
 */
class FenceLockGuardVmTest {
    private static final int VENDOR = 0x1209;
    private static final int PRODUCT = 0x0004;
    private static final long SIZE = 16 * 1024;
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void cpuAccessWaitingForAPendingTransfer_waitsOutsideTheKernel_detachEndsTheWait() throws Exception {
        try (Setup s = Setup.open("sync"); DmaBuf buf = s.backend.dmaBufs().allocate(SIZE)) {
            Endpoint out = s.ffs.endpoint(2);
            out.attach(buf);
            Transfer pending = out.transfer(buf, SIZE);
            Waiter w = Waiter.start("g4j-fence-sync", () -> {
                buf.beginCpuAccess(DmaBuf.Access.READ);
                buf.endCpuAccess(DmaBuf.Access.READ);
            });
            s.releaseIfInKernelWait(w, buf.fd(), Ioctl.DMA_BUF_IOCTL_SYNC, "beginCpuAccess (DMA_BUF_IOCTL_SYNC START)");
            out.detach(buf);
            w.assertReturned();
            assertTrue(pending.waitFor(WAIT), "the pending transfer ended");
            assertEquals(Optional.of(Errno.ECONNRESET), pending.status(), "DETACH cancelled the pending transfer");
        }
    }

    @Test
    void transferBehindAnotherAttachmentsTransfer_waitsOutsideTheKernel_detachEndsTheWait() throws Exception {
        try (Setup s = Setup.open("xfer"); DmaBuf buf = s.backend.dmaBufs().allocate(SIZE)) {
            Endpoint out = s.ffs.endpoint(2);
            Endpoint in = s.ffs.endpoint(1);
            out.attach(buf);
            in.attach(buf);
            Transfer pending = out.transfer(buf, SIZE);
            AtomicReference<Transfer> queued = new AtomicReference<>();
            // An IN transfer waits for the buffer's OUT transfers (the kernel: up to 5 s).
            Waiter w = Waiter.start("g4j-fence-xfer", () -> queued.set(in.transfer(buf, SIZE)));
            int inFd = SleepingThreads.fdOf(in.path());
            assertNotEquals(-1, inFd, "no open file for " + in.path());
            s.releaseIfInKernelWait(w, inFd, Ioctl.FUNCTIONFS_DMABUF_TRANSFER, "FUNCTIONFS_DMABUF_TRANSFER");
            out.detach(buf);
            w.assertReturned();
            assertTrue(pending.waitFor(WAIT), "the pending transfer ended");
            assertEquals(Optional.of(Errno.ECONNRESET), pending.status(), "DETACH cancelled the pending transfer");
            try (Arena arena = Arena.ofConfined()) {
                assertEquals(SIZE, s.host.bulk(s.hostIn, arena.allocate(SIZE), WAIT), "the IN transfer went ahead");
            }
            queued.get().await(WAIT);
        }
    }

    /** A thread running a call that waits for a transfer's fence. */
    private record Waiter(Thread thread, int tid, AtomicReference<Throwable> failure) {
        static Waiter start(String name, Runnable call) throws InterruptedException {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    call.run();
                } catch (Throwable e) {
                    failure.set(e);
                }
            }, name);
            t.setDaemon(true);
            t.start();
            int tid = SleepingThreads.awaitAsleepInKernel(name, t);
            assertNotEquals(-1, tid, () -> name + " did not wait for the pending transfer: " + failure.get());
            return new Waiter(t, tid, failure);
        }

        void assertReturned() throws InterruptedException {
            thread.join(WAIT.toMillis());
            assertFalse(thread.isAlive(), thread.getName() + " still waits after the attachment was dropped");
            assertNull(failure.get(), () -> thread.getName() + " failed: " + failure.get());
        }
    }

    /** A gadget bound and enabled, the host side open. */
    private record Setup(LinuxBackend backend, Gadget gadget, FunctionFs ffs, HostDevice host, int hostIn, int hostOut)
            implements AutoCloseable {
        static Setup open(String name) {
            assumeTrue(Files.isWritable(Path.of("/dev/udmabuf")), "no usable /dev/udmabuf on this machine");
            LinuxBackend backend = new LinuxBackend(SystemFiles.real());
            try {
                Gadget gadget = backend.createGadget(GadgetSpec.builder().name("g4jfence" + name).vendorId(VENDOR)
                        .productId(PRODUCT).product("fence guard").function("fence").build());
                FunctionFs ffs = gadget.functionFs("fence");
                ffs.start(Descriptors.sourceSink(), Strings.en("fence guard"));
                gadget.bind();
                ffs.awaitEvent(Event.Enable.class, WAIT).orElseThrow(() -> new AssertionError("no ENABLE within " + WAIT));
                HostDevice host = backend.host().open(VENDOR, PRODUCT, WAIT);
                host.claimInterface(0);
                var setting = host.configuration().interfaceSetting(0, 0);
                return new Setup(backend, gadget, ffs, host,
                        setting.endpoint(Direction.IN, TransferType.BULK).orElseThrow().address(),
                        setting.endpoint(Direction.OUT, TransferType.BULK).orElseThrow().address());
            } catch (RuntimeException | Error e) {
                backend.close();
                throw e;
            }
        }

        /**
         * Fails when the waiter sleeps inside {@code ioctl(fd, request)}: the kernel wait that
         * ends in the fence's lock. It is released first by the host sending the OUT transfer's
         * data (the fence signals and nothing is freed), not by dropping the attachment.
         */
        void releaseIfInKernelWait(Waiter w, int fd, long request, String call) throws InterruptedException {
            if (!KernelThreads.asleepInIoctl(w.tid(), fd, request)) {
                assertTrue(w.thread().isAlive(), "the waiter returned while the transfer was pending");
                return;
            }
            String where = SleepingThreads.syscall(w.tid());
            try (Arena arena = Arena.ofConfined()) {
                host.bulk(hostOut, arena.allocate(SIZE), WAIT);
            } catch (GadgetException e) {
                // released or not, the failure below is what counts
            }
            w.thread().join(WAIT.toMillis());
            fail(call + " slept in the kernel's wait for the pending transfer's fence (" + where + "): a DETACH or "
                    + "close now would free that fence's lock under it on stock 6.12");
        }

        @Override
        public void close() {
            try {
                host.close();
            } finally {
                backend.close();
            }
        }
    }
}
