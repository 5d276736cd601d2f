package dev.gadget4j.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gadget4j.Endpoint;
import dev.gadget4j.Errno;
import dev.gadget4j.FunctionFs;
import dev.gadget4j.Gadget;
import dev.gadget4j.GadgetException;
import dev.gadget4j.GadgetSpec;
import dev.gadget4j.HostDevice;
import dev.gadget4j.Speed;
import dev.gadget4j.descriptor.Descriptors;
import dev.gadget4j.descriptor.Strings;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Gadget composition on the real kernel (configfs, FunctionFS, a loopback UDC): names configfs
 * accepts, endpoint files of FUNCTIONFS_VIRTUAL_ADDR functions, and the owner record. Runs where
 * a UDC and configfs usb_gadget exist (the VM tier), skips visibly elsewhere.
 */
class LinuxGadgetVmTest {
    private static final Duration HOST_WAIT = Duration.ofSeconds(20);

    private static LinuxBackend backend() {
        SystemFiles files = SystemFiles.real();
        assumeTrue(LinuxBackendProvider.missing(files) == null && files.isRoot(),
                "no configfs usb_gadget, UDC or udmabuf here, or not root");
        return new LinuxBackend(files);
    }

    private static GadgetSpec.Builder spec(String name, int productId) {
        return GadgetSpec.builder().name(name).vendorId(0x1209).productId(productId)
                .manufacturer("gadget4j").product("vm test").serialNumber("1");
    }

    /** The source/sink descriptors with FUNCTIONFS_VIRTUAL_ADDR: files ep81 and ep02. */
    private static Descriptors virtualAddr() {
        Descriptors plain = Descriptors.sourceSink();
        Descriptors.Builder b = Descriptors.builder().flags(Descriptors.VIRTUAL_ADDR);
        for (Speed s : Speed.values()) {
            b.speed(s, plain.descriptors(s));
        }
        return b.build();
    }

    @Test
    void longGadgetAndFunctionNames_composeAndBind() {
        String name = "gadget4j-vm-" + "n".repeat(24);
        try (LinuxBackend b = backend();
             Gadget g = b.createGadget(spec(name, 0x7a01).function("a-long-function-name").build())) {
            g.functionFs("a-long-function-name").start(Descriptors.sourceSink(), Strings.en("long names"));
            g.bind();
            assertTrue(g.isBound());
            g.unbind();
        }
        assertFalse(Files.exists(Path.of("/sys/kernel/config/usb_gadget", name)));
    }

    @Test
    void virtualAddrFunction_endpointFilesOpenAndStream() throws Exception {
        try (LinuxBackend b = backend(); Gadget g = b.createGadget(spec("g4jvaddr", 0x7a02).function("f").build())) {
            FunctionFs ffs = g.functionFs("f");
            ffs.start(virtualAddr(), Strings.en("virtual addresses"));
            try (Endpoint in = ffs.endpoint(1); Endpoint out = ffs.endpoint(2); Arena arena = Arena.ofShared()) {
                assertTrue(in.path().endsWith("/ep81"), in.path());
                assertTrue(out.path().endsWith("/ep02"), out.path());
                g.bind();
                MemorySegment src = arena.allocate(512);
                for (int i = 0; i < 512; i++) {
                    src.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 7));
                }
                MemorySegment dst = arena.allocate(512);
                CompletableFuture<Integer> wrote = CompletableFuture.supplyAsync(() -> in.write(src));
                CompletableFuture<Integer> read = CompletableFuture.supplyAsync(() -> out.read(dst));
                try (HostDevice h = b.host().open(0x1209, 0x7a02, HOST_WAIT)) {
                    h.claimInterface(0);
                    MemorySegment hostIn = arena.allocate(512);
                    assertEquals(512, h.bulk(0x81, hostIn, HOST_WAIT));
                    assertArrayEquals(src.toArray(ValueLayout.JAVA_BYTE), hostIn.toArray(ValueLayout.JAVA_BYTE));
                    assertEquals(512, h.bulk(0x02, src, HOST_WAIT));
                }
                assertEquals(512, wrote.get(20, TimeUnit.SECONDS));
                assertEquals(512, read.get(20, TimeUnit.SECONDS));
                assertArrayEquals(src.toArray(ValueLayout.JAVA_BYTE), dst.toArray(ValueLayout.JAVA_BYTE));
            }
        }
    }

    @Test
    void nameOwnedByAnotherLiveBackend_EEXIST_itsGadgetUntouched() {
        try (LinuxBackend first = backend(); LinuxBackend second = backend();
             Gadget g = first.createGadget(spec("g4jowned", 0x7a03).function("f").build())) {
            g.functionFs("f").start(Descriptors.sourceSink(), Strings.en("owned"));
            g.bind();
            GadgetException e = assertThrows(GadgetException.class,
                    () -> second.createGadget(spec("g4jowned", 0x7a03).function("f").build()));
            assertEquals(Errno.EEXIST, e.errno());
            assertTrue(g.isBound(), "the owner's gadget must stay bound");
        }
    }

    /** A JVM whose main() returns with the gadget bound and nothing closed leaves nothing behind. */
    @Test
    void jvmExitingWithoutClose_removesGadgetAndMounts() throws Exception {
        backend().close();
        String javaCommand = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder(javaCommand, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), ExitWithoutClose.class.getName(), "g4jexit")
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the child JVM did not exit");
        assertEquals(0, p.exitValue(), output);
        assertTrue(output.contains("bound"), output);
        assertFalse(Files.exists(Path.of("/sys/kernel/config/usb_gadget/g4jexit")), "gadget left behind");
        assertFalse(Files.readString(Path.of("/proc/mounts")).contains("g4jexit.f "), "FunctionFS mount left behind");
    }

    @Test
    void treeNoGadget4jProcessMade_EEXIST_leftInPlace() throws Exception {
        Path foreign = Path.of("/sys/kernel/config/usb_gadget/g4jforeign");
        try (LinuxBackend b = backend()) {
            Files.createDirectory(foreign); // as a shell script or another daemon would
            try {
                GadgetException e = assertThrows(GadgetException.class,
                        () -> b.createGadget(spec("g4jforeign", 0x7a04).function("f").build()));
                assertEquals(Errno.EEXIST, e.errno());
                assertTrue(Files.isDirectory(foreign));
            } finally {
                Files.delete(foreign);
            }
        }
    }
}
