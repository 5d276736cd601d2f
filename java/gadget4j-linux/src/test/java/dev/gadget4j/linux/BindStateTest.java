package dev.gadget4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gadget4j.Errno;
import dev.gadget4j.Event;
import dev.gadget4j.Gadget;
import dev.gadget4j.GadgetException;
import dev.gadget4j.GadgetSpec;
import dev.gadget4j.descriptor.Descriptors;
import dev.gadget4j.descriptor.Strings;
import dev.gadget4j.linux.sys.KernelThreads;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bind state that keeps DMABUF TRANSFER/DETACH away from an unbound function, on the fake
 * kernel tree (ep0 is a regular file there, so events can be fed to it).
 */
class BindStateTest {
    /** {@code struct usb_functionfs_event} of type UNBIND. */
    private static final byte[] UNBIND = {0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0};

    @TempDir
    Path root;

    private static GadgetSpec spec(String... functions) {
        GadgetSpec.Builder b = GadgetSpec.builder().name("g1").vendorId(0x1209).productId(0x0001).product("p");
        for (String f : functions) {
            b.function(f);
        }
        return b.build();
    }

    private static LinuxFunctionFs started(Gadget g, String name) {
        LinuxFunctionFs f = (LinuxFunctionFs) g.functionFs(name);
        f.start(Descriptors.sourceSink(), Strings.en(name));
        return f;
    }

    /** A case run with the bound function "stream" and the fake ep0 file its events are appended to. */
    @FunctionalInterface
    private interface BoundCase {
        void run(Gadget g, LinuxFunctionFs ffs, Path ep0) throws IOException;
    }

    private void withBoundStream(BoundCase c) throws IOException {
        FakeSystem files = new FakeSystem(root).kernelReady();
        try (LinuxBackend backend = new LinuxBackend(files); Gadget g = backend.createGadget(spec("stream"))) {
            LinuxFunctionFs ffs = started(g, "stream");
            g.bind();
            c.run(g, ffs, files.mountBase().resolve("g1/stream/ep0"));
        }
    }

    @Test
    void staleUnbind_readBeforeANewerBind_leavesTheFunctionBound() throws IOException {
        withBoundStream((g, ffs, ep0) -> {
            // Two UNBINDs reach the library in one read: the first is handed out, the second stays buffered.
            byte[] two = new byte[2 * UNBIND.length];
            System.arraycopy(UNBIND, 0, two, 0, UNBIND.length);
            System.arraycopy(UNBIND, 0, two, UNBIND.length, UNBIND.length);
            Files.write(ep0, two, StandardOpenOption.APPEND);
            assertEquals(Optional.of(new Event.Unbind()), ffs.nextEvent(Duration.ZERO));
            assertFalse(ffs.isBound());
            g.unbind();
            g.bind();
            assertTrue(ffs.isBound());
            assertEquals(Optional.of(new Event.Unbind()), ffs.nextEvent(Duration.ZERO));
            assertTrue(ffs.isBound(), "an UNBIND read before the newer bind() must not lower the bound flag");
        });
    }

    @Test
    void closingOneFunction_lowersAndDrainsItsSiblingBeforeEp0Closes() throws Exception {
        FakeSystem files = new FakeSystem(root).kernelReady();
        try (LinuxBackend backend = new LinuxBackend(files); Gadget g = backend.createGadget(spec("a", "b"))) {
            LinuxFunctionFs a = started(g, "a");
            LinuxFunctionFs b = started(g, "b");
            g.bind();
            Path ep0 = files.mountBase().resolve("g1/a/ep0");
            // This thread plays a sibling's TRANSFER between its bind check and the kernel.
            int slot = b.gate().enter("FUNCTIONFS_DMABUF_TRANSFER", "b/ep1", -1, KernelThreads.gettid());
            Thread closer = Thread.ofPlatform().start(a::close);
            try {
                while (b.isBound()) {
                    Thread.onSpinWait();
                }
                assertTrue(isOpen(ep0), "a's ep0 (whose close unbinds the gadget) must stay open while a sibling's "
                        + "DMABUF ioctl is on its way into the kernel");
            } finally {
                b.gate().leave(slot);
                closer.join();
            }
            assertFalse(isOpen(ep0));
            GadgetException e = org.junit.jupiter.api.Assertions.assertThrows(GadgetException.class,
                    () -> b.gate().enter("FUNCTIONFS_DMABUF_TRANSFER", "b/ep1", -1, 0));
            assertEquals(Errno.ENODEV, e.errno());
        }
    }

    @Test
    void unbindDrain_waitsForACallerPausedBeforeTheKernel_pastOneSecond() throws Exception {
        BindGate gate = new BindGate();
        gate.raise();
        int slot = gate.enter("FUNCTIONFS_DMABUF_TRANSFER", "ep1", -1, KernelThreads.gettid());
        Thread lowerer = Thread.ofPlatform().start(gate::lower);
        try {
            while (gate.isBound()) {
                Thread.onSpinWait();
            }
            Thread.sleep(1500);
            assertTrue(lowerer.isAlive(), "the drain gave up while a caller had not reached the kernel yet");
        } finally {
            gate.leave(slot);
            lowerer.join();
        }
    }

    @Test
    void staleGeneration_doesNotLower() {
        BindGate gate = new BindGate();
        gate.raise();
        long old = gate.generation();
        gate.raise();
        assertFalse(gate.lowerIf(old));
        assertTrue(gate.isBound());
        assertTrue(gate.lowerIf(gate.generation()));
        assertFalse(gate.isBound());
    }

    /** Whether this process has {@code file} open (its /proc/self/fd links). */
    private static boolean isOpen(Path file) throws IOException {
        Path real = file.toRealPath();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.anyMatch(fd -> {
                try {
                    return Files.readSymbolicLink(fd).equals(real);
                } catch (IOException e) {
                    return false;
                }
            });
        }
    }
}
