package dev.gadget4j.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gadget4j.Endpoint;
import dev.gadget4j.Errno;
import dev.gadget4j.Event;
import dev.gadget4j.FunctionFs;
import dev.gadget4j.Gadget;
import dev.gadget4j.GadgetException;
import dev.gadget4j.GadgetSpec;
import dev.gadget4j.Speed;
import dev.gadget4j.descriptor.Descriptors;
import dev.gadget4j.descriptor.Strings;
import dev.gadget4j.descriptor.UsbDescriptor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Composition and teardown of the configfs tree, against a fake configfs that enforces removal order. */
class ConfigFsTreeTest {
    @TempDir
    Path root;

    private static GadgetSpec spec() {
        return GadgetSpec.builder().name("g1").vendorId(0x1209).productId(0x0001).bcdDevice(0x0102)
                .manufacturer("m").product("p").serialNumber("s").maxSpeed(Speed.HIGH).maxPowerMa(120)
                .function("stream").build();
    }

    private static int index(List<String> ops, String op) {
        int i = ops.indexOf(op);
        assertTrue(i >= 0, "missing " + op + " in " + ops);
        return i;
    }

    @Test
    void instanceNames_includeTheGadget_andFitConfigfsFunctionNameLimit() {
        assertEquals("g1.stream", ConfigFsTree.instanceName("g1", "stream"));
        // configfs (drivers/usb/gadget/configfs.c function_make) refuses names of 40 characters or more.
        String exact = "a".repeat(20) + "." + "b".repeat(14);
        assertEquals(exact, ConfigFsTree.instanceName("a".repeat(20), "b".repeat(14)));
        assertTrue(("ffs." + exact).length() < 40);
        String longName = ConfigFsTree.instanceName("a".repeat(30), "b".repeat(30));
        assertTrue(("ffs." + longName).length() < 40, longName);
        assertEquals(35, longName.length());
        assertEquals(longName, ConfigFsTree.instanceName("a".repeat(30), "b".repeat(30)));
        String justOver = ConfigFsTree.instanceName("a".repeat(20), "b".repeat(15));
        assertTrue(("ffs." + justOver).length() < 40, justOver);
        assertFalse(justOver.equals(ConfigFsTree.instanceName("a".repeat(20), "c".repeat(15))));
    }

    /** A function directory name longer than configfs takes fails with ENAMETOOLONG, as the kernel does. */
    @Test
    void create_withLongNames_makesFunctionDirectoriesConfigfsAccepts() {
        FakeSystem f = new FakeSystem(root).kernelReady();
        String gadget = "gadget4j-" + "x".repeat(30);
        GadgetSpec spec = GadgetSpec.builder().name(gadget).vendorId(0x1209).productId(0x0001)
                .manufacturer("m").product("p").serialNumber("s").function("stream-function").build();
        try (LinuxBackend backend = new LinuxBackend(f); Gadget g = backend.createGadget(spec)) {
            for (String fn : f.list(f.gadgets().resolve(gadget).resolve("functions"))) {
                assertTrue(fn.length() < 40, fn);
            }
        }
    }

    /** FUNCTIONFS_VIRTUAL_ADDR: the kernel names the endpoint files by address (ep81, ep02). */
    @Test
    void endpoint_ofVirtualAddrFunction_opensTheFileNamedByAddress() throws IOException {
        FakeSystem f = new FakeSystem(root).kernelReady();
        try (LinuxBackend backend = new LinuxBackend(f); Gadget g = backend.createGadget(spec())) {
            FunctionFs ffs = g.functionFs("stream");
            Descriptors d = Descriptors.builder().highSpeed(UsbDescriptor.Interface.vendor(0, 2, 1),
                            UsbDescriptor.Endpoint.bulk(0x81, 512), UsbDescriptor.Endpoint.bulk(0x02, 512))
                    .flags(Descriptors.VIRTUAL_ADDR).build();
            ffs.start(d, Strings.en("stream"));
            Path mp = f.mountBase().resolve("g1/stream");
            Files.writeString(mp.resolve("ep81"), "");
            Files.writeString(mp.resolve("ep02"), "");
            try (Endpoint in = ffs.endpoint(1); Endpoint out = ffs.endpoint(2)) {
                assertEquals(mp.resolve("ep81").toString(), in.path());
                assertEquals(mp.resolve("ep02").toString(), out.path());
                assertTrue(in.isIn());
            }
        }
    }

    @Test
    void create_writesAttributesStringsConfigAndMounts() throws IOException {
        FakeSystem f = new FakeSystem(root).kernelReady();
        ConfigFsTree tree = new ConfigFsTree(f, "g1");
        Path mp;
        try (GadgetOwner owner = GadgetOwner.acquire(f, "g1")) {
            mp = tree.create(spec(), owner, false).get("stream");
        }
        Path g = f.gadgets().resolve("g1");
        assertEquals("0x1209", Files.readString(g.resolve("idVendor")));
        assertEquals("0x0001", Files.readString(g.resolve("idProduct")));
        assertEquals("0x0102", Files.readString(g.resolve("bcdDevice")));
        assertEquals("high-speed", Files.readString(g.resolve("max_speed")));
        assertEquals("m", Files.readString(g.resolve("strings/0x409/manufacturer")));
        assertEquals("s", Files.readString(g.resolve("strings/0x409/serialnumber")));
        assertEquals("120", Files.readString(g.resolve("configs/c.1/MaxPower")));
        assertTrue(Files.isSymbolicLink(g.resolve("configs/c.1/ffs.g1.stream")));
        assertEquals(g.resolve("functions/ffs.g1.stream"), Files.readSymbolicLink(g.resolve("configs/c.1/ffs.g1.stream")));
        assertEquals(f.mountBase().resolve("g1/stream"), mp);
        List<String> ops = f.ops;
        assertTrue(index(ops, "symlink /sys/kernel/config/usb_gadget/g1/configs/c.1/ffs.g1.stream")
                > index(ops, "mkdir /sys/kernel/config/usb_gadget/g1/functions/ffs.g1.stream"));
        assertTrue(index(ops, "mount g1.stream /run/gadget4j/g1/stream")
                > index(ops, "symlink /sys/kernel/config/usb_gadget/g1/configs/c.1/ffs.g1.stream"));
    }

    @Test
    void tearDown_inTheOrderConfigfsRequires_leavesNothing() throws IOException {
        FakeSystem f = new FakeSystem(root).kernelReady();
        ConfigFsTree tree = new ConfigFsTree(f, "g1");
        try (GadgetOwner owner = GadgetOwner.acquire(f, "g1")) {
            tree.create(spec(), owner, false);
        }
        Files.writeString(tree.udcFile(), "dummy_udc.0\n");
        f.ops.clear();
        tree.tearDown();
        String g = "/sys/kernel/config/usb_gadget/g1";
        List<String> expected = List.of(
                "write " + g + "/UDC=",
                "umount /run/gadget4j/g1/stream",
                "rm " + g + "/configs/c.1/ffs.g1.stream",
                "rm " + g + "/configs/c.1/strings/0x409",
                "rm " + g + "/configs/c.1",
                "rm " + g + "/functions/ffs.g1.stream",
                "rm " + g + "/strings/0x409",
                "rm " + g,
                "rm /run/gadget4j/g1/stream",
                "rm /run/gadget4j/g1");
        assertEquals(expected, f.ops);
        assertFalse(Files.exists(f.gadgets().resolve("g1")));
        assertEquals("", Files.readString(f.procMounts()).replaceAll("(?m)^configfs .*\\n", ""));
        tree.tearDown(); // idempotent
    }

    /** Changes to configfs and mounts (creating the run directory is not one). */
    private static List<String> gadgetOps(FakeSystem f) {
        return f.ops.stream().filter(o -> o.contains("usb_gadget") || o.contains("mount")).toList();
    }

    /** What a process killed while owning g1 leaves: the tree, its mounts and a record with its pid, unlocked. */
    private static void leaveStaleTree(FakeSystem f) throws IOException {
        try (GadgetOwner dead = GadgetOwner.acquire(f, "g1")) {
            new ConfigFsTree(f, "g1").create(spec(), dead, false);
        }
        Files.writeString(GadgetOwner.recordPath(f, "g1"), "999999\n");
    }

    @Test
    void create_overStaleTree_tearsItDownFirst() throws IOException {
        FakeSystem f = new FakeSystem(root).kernelReady();
        leaveStaleTree(f);
        f.ops.clear();
        try (GadgetOwner owner = GadgetOwner.acquire(f, "g1")) {
            assertEquals(GadgetOwner.Previous.DEAD_OWNER, owner.previous());
            new ConfigFsTree(f, "g1").create(spec(), owner, false);
        }
        assertTrue(index(f.ops, "umount /run/gadget4j/g1/stream") < index(f.ops, "rm /sys/kernel/config/usb_gadget/g1"));
        assertTrue(f.ops.lastIndexOf("mkdir /sys/kernel/config/usb_gadget/g1") > index(f.ops, "rm /sys/kernel/config/usb_gadget/g1"));
        assertEquals(1, Files.readAllLines(f.procMounts()).stream().filter(l -> l.contains("functionfs")).count());
    }

    @Test
    void createGadget_overTreeNoGadget4jProcessOwns_EEXIST_leavesItAlone() throws IOException {
        FakeSystem f = new FakeSystem(root).kernelReady();
        try (GadgetOwner other = GadgetOwner.acquire(f, "g1")) {
            new ConfigFsTree(f, "g1").create(spec(), other, false); // e.g. a shell script's gadget, no record
        }
        f.ops.clear();
        try (LinuxBackend backend = new LinuxBackend(f)) {
            GadgetException e = assertThrows(GadgetException.class, () -> backend.createGadget(spec()));
            assertEquals(Errno.EEXIST, e.errno());
            assertTrue(e.getMessage().contains(LinuxBackend.REPLACE_UNOWNED), e.getMessage());
        }
        assertEquals(List.of(), gadgetOps(f), "nothing of the other gadget may be touched");
        assertTrue(Files.exists(f.gadgets().resolve("g1")));
        assertEquals("", Files.readString(GadgetOwner.recordPath(f, "g1")));
    }

    @Test
    void createGadget_overTreeNoGadget4jProcessOwns_replacedWhenAllowed() throws IOException {
        FakeSystem f = new FakeSystem(root).kernelReady();
        try (GadgetOwner other = GadgetOwner.acquire(f, "g1")) {
            new ConfigFsTree(f, "g1").create(spec(), other, false);
        }
        System.setProperty(LinuxBackend.REPLACE_UNOWNED, "true");
        try (LinuxBackend backend = new LinuxBackend(f); Gadget g = backend.createGadget(spec())) {
            assertEquals(ProcessHandle.current().pid() + "\n", Files.readString(GadgetOwner.recordPath(f, "g1")));
        } finally {
            System.clearProperty(LinuxBackend.REPLACE_UNOWNED);
        }
    }

    @Test
    void createGadget_whileALiveOwnerHoldsTheName_EEXIST() throws IOException {
        FakeSystem f = new FakeSystem(root).kernelReady();
        try (GadgetOwner live = GadgetOwner.acquire(f, "g1")) {
            f.ops.clear();
            try (LinuxBackend backend = new LinuxBackend(f)) {
                GadgetException e = assertThrows(GadgetException.class, () -> backend.createGadget(spec()));
                assertEquals(Errno.EEXIST, e.errno());
                assertTrue(e.getMessage().contains("running process " + ProcessHandle.current().pid()), e.getMessage());
            }
            assertEquals(List.of(), gadgetOps(f));
        }
    }

    @Test
    void createGadget_staleTree_recoveredAndRecordEmptiedOnClose() throws IOException {
        FakeSystem f = new FakeSystem(root).kernelReady();
        leaveStaleTree(f);
        try (LinuxBackend backend = new LinuxBackend(f)) {
            Gadget g = backend.createGadget(spec());
            assertEquals(ProcessHandle.current().pid() + "\n", Files.readString(GadgetOwner.recordPath(f, "g1")));
            g.close();
        }
        assertFalse(Files.exists(f.gadgets().resolve("g1")));
        assertEquals("", Files.readString(GadgetOwner.recordPath(f, "g1")));
    }

    @Test
    void createGadget_readOnlyRunDir_EROFSNamingThePath() {
        FakeSystem f = new FakeSystem(root).kernelReady();
        SystemFiles ro = new FakeSystem(root) {
            @Override
            void mkdirs(Path dir) {
                throw SystemFiles.failure("mkdir", dir, new java.nio.file.FileSystemException(dir.toString(), null,
                        "Read-only file system"));
            }
        };
        try (LinuxBackend backend = new LinuxBackend(ro)) {
            GadgetException e = assertThrows(GadgetException.class, () -> backend.createGadget(spec()));
            assertEquals(Errno.EROFS, e.errno());
            assertTrue(e.getMessage().contains(f.mountBase().toString()), e.getMessage());
        }
    }

    @Test
    void create_withoutUsbGadget_ENOENT() {
        FakeSystem f = new FakeSystem(root);
        try (GadgetOwner owner = GadgetOwner.acquire(f, "g1")) {
            GadgetException e = assertThrows(GadgetException.class, () -> new ConfigFsTree(f, "g1").create(spec(), owner, false));
            assertEquals(Errno.ENOENT, e.errno());
        }
    }

    @Test
    void mountsAreParsedWithOctalEscapes() {
        assertEquals("/run/a b", ConfigFsTree.unescape("/run/a\\040b"));
        assertEquals("/run/plain", ConfigFsTree.unescape("/run/plain"));
    }

    /** The whole gadget on the fake tree: ep0 is a regular file there, so blob writes and event reads can be checked. */
    @Test
    void gadget_startWritesBlobsInOrder_closeRemovesEverything() throws IOException {
        FakeSystem f = new FakeSystem(root).kernelReady();
        try (LinuxBackend backend = new LinuxBackend(f)) {
            Gadget g = backend.createGadget(spec());
            FunctionFs ffs = g.functionFs("stream");
            Descriptors d = Descriptors.sourceSink();
            Strings s = Strings.en("stream");
            ffs.start(d, s);
            assertTrue(ffs.isStarted());
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            expected.writeBytes(d.toBytes());
            expected.writeBytes(s.toBytes());
            assertArrayEquals(expected.toByteArray(), Files.readAllBytes(f.mountBase().resolve("g1/stream/ep0")));
            assertEquals(Errno.EBUSY, assertThrows(GadgetException.class, () -> ffs.start(d, s)).errno());
            assertEquals(Errno.ENOENT, assertThrows(GadgetException.class, () -> ffs.endpoint(3)).errno());
            g.close();
            g.close();
            assertTrue(ffs.isClosed());
            assertFalse(Files.exists(f.gadgets().resolve("g1")));
            assertFalse(Files.exists(f.mountBase().resolve("g1")));
        }
    }

    @Test
    void gadget_bindBeforeStart_ENODEV_namesUdc() {
        FakeSystem f = new FakeSystem(root).kernelReady();
        try (LinuxBackend backend = new LinuxBackend(f); Gadget g = backend.createGadget(spec())) {
            GadgetException e = assertThrows(GadgetException.class, g::bind);
            assertEquals(Errno.ENODEV, e.errno());
            assertTrue(e.getMessage().contains("UDC"), e.getMessage());
        }
    }

    @Test
    void gadget_readsEventsFromEp0() throws IOException {
        FakeSystem f = new FakeSystem(root).kernelReady();
        try (LinuxBackend backend = new LinuxBackend(f); Gadget g = backend.createGadget(spec())) {
            Files.write(f.mountBase().resolve("g1/stream/ep0"), EventCodecTest.sample());
            FunctionFs ffs = g.functionFs("stream");
            assertEquals(Optional.of(new Event.Bind()), ffs.nextEvent(Duration.ofSeconds(1)));
            assertEquals(Optional.of(new Event.Enable()), ffs.nextEvent(Duration.ofSeconds(1)));
            Event setup = ffs.nextEvent(Duration.ofSeconds(1)).orElseThrow();
            assertTrue(setup instanceof Event.Setup);
            assertThrows(IllegalStateException.class, () -> ffs.nextEvent(Duration.ZERO),
                    "a pending SETUP must be answered first");
        }
    }

    @Test
    void backendClose_closesGadgets_andRefusesNewWork() {
        FakeSystem f = new FakeSystem(root).kernelReady();
        LinuxBackend backend = new LinuxBackend(f);
        backend.createGadget(spec());
        backend.close();
        backend.close();
        assertFalse(Files.exists(f.gadgets().resolve("g1")));
        assertEquals(Errno.EBADF, assertThrows(GadgetException.class, () -> backend.createGadget(spec())).errno());
    }
}
