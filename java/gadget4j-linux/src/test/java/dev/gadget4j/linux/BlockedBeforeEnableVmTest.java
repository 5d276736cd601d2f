package dev.gadget4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gadget4j.Endpoint;
import dev.gadget4j.Errno;
import dev.gadget4j.FunctionFs;
import dev.gadget4j.Gadget;
import dev.gadget4j.GadgetException;
import dev.gadget4j.GadgetSpec;
import dev.gadget4j.descriptor.Descriptors;
import dev.gadget4j.descriptor.Strings;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Threads asleep in an endpoint call before ENABLE (the function started, never bound) are
 * released by closing the endpoint or the gadget, with EBADF, instead of sleeping until an
 * ENABLE that never comes (and keeping the JVM alive). Needs configfs and FunctionFS: the VM tier.
 */
class BlockedBeforeEnableVmTest {
    /** How long a released thread may take to come back: far beyond the signal's few milliseconds. */
    private static final long JOIN_MILLIS = 30_000;

    private static LinuxBackend backend() {
        assumeTrue(Files.isDirectory(Path.of("/sys/kernel/config")) && Files.isDirectory(Path.of("/sys/class/udc")),
                "no configfs with a UDC on this machine");
        return new LinuxBackend(SystemFiles.real());
    }

    @Test
    void readBlockedBeforeEnable_closingTheEndpoint_EBADF() throws Exception {
        runBlocked(ep -> ep.read(Arena.ofAuto().allocate(512)), 2, "read", false);
    }

    @Test
    void writeBlockedBeforeEnable_closingTheGadget_EBADF() throws Exception {
        runBlocked(ep -> ep.write(MemorySegment.ofArray(new byte[512])), 1, "write", true);
    }

    @Test
    void ioSubmitBlockedBeforeEnable_closingTheEndpoint_EBADF() throws Exception {
        runBlocked(ep -> ep.submitRead(Arena.ofAuto().allocate(512)).await(Duration.ofSeconds(60)), 2, "io_submit", false);
    }

    /**
     * Starts {@code call} on endpoint {@code number} in a thread, waits until that thread sleeps in
     * the kernel, closes the endpoint (or the whole gadget), and expects the call to fail with EBADF.
     */
    private static void runBlocked(Consumer<Endpoint> call, int number, String syscall, boolean closeGadget)
            throws Exception {
        try (LinuxBackend b = backend();
             Gadget g = b.createGadget(GadgetSpec.builder().name("g4jblocked").vendorId(0x1209).productId(0x0001)
                     .product("blocked").function("blk").build())) {
            FunctionFs ffs = g.functionFs("blk");
            ffs.start(Descriptors.sourceSink(), Strings.en("blocked"));
            Endpoint ep = ffs.endpoint(number);
            AtomicReference<Throwable> outcome = new AtomicReference<>();
            String name = "g4j-blk-" + syscall.replace("_", "");
            Thread t = new Thread(() -> {
                try {
                    call.accept(ep);
                    outcome.set(new AssertionError(syscall + " returned"));
                } catch (Throwable e) {
                    outcome.set(e);
                }
            }, name);
            t.setDaemon(true); // a thread the close fails to release must not keep the test JVM alive
            t.start();
            awaitSleepingInKernel(name, t);
            if (closeGadget) {
                g.close();
            } else {
                ep.close();
            }
            t.join(JOIN_MILLIS);
            assertFalse(t.isAlive(), syscall + " blocked before ENABLE was not released by close");
            GadgetException e = assertInstanceOf(GadgetException.class, outcome.get());
            assertEquals(Errno.EBADF, e.errno(), e.getMessage());
        }
    }

    /** Until the thread's kernel task sleeps in a system call other than futex (the JVM's own waits). */
    private static void awaitSleepingInKernel(String name, Thread t) throws IOException, InterruptedException {
        String comm = name.length() > 15 ? name.substring(0, 15) : name;
        while (t.isAlive()) {
            try (var tasks = Files.list(Path.of("/proc/self/task"))) {
                for (Path task : (Iterable<Path>) tasks::iterator) {
                    try {
                        if (!Files.readString(task.resolve("comm")).strip().equals(comm)) {
                            continue;
                        }
                        String stat = Files.readString(task.resolve("stat"));
                        char state = stat.charAt(stat.lastIndexOf(')') + 2);
                        String sc = Files.readString(task.resolve("syscall")).strip();
                        if (state == 'S' && !sc.startsWith("202 ") && !sc.equals("running")) {
                            return; // 202: futex on x86_64
                        }
                    } catch (IOException e) {
                        // the task went away meanwhile
                    }
                }
            }
            Thread.sleep(20);
        }
    }
}
