package dev.gadget4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gadget4j.Errno;
import dev.gadget4j.Gadget;
import dev.gadget4j.GadgetException;
import dev.gadget4j.GadgetSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The privileged setup for an unprivileged driver, on the fake configfs (chown to this process's own ids). */
class GadgetSetupTest {
    @TempDir
    Path root;

    private static GadgetSpec spec() {
        return GadgetSpec.builder().name("g1").vendorId(0x1209).productId(0x0001).function("stream").build();
    }

    private int[] me(FakeSystem f) {
        return f.owner(f.root());
    }

    @Test
    void prepare_mountsForTheUser_driverOpensItWithoutComposing_removeCleansUp() throws IOException {
        FakeSystem f = new FakeSystem(root).kernelReady();
        int[] id = me(f);
        new GadgetSetup(f).prepare(spec(), id[0], id[1]);
        assertTrue(f.ops.contains("mount g1.stream /run/gadget4j/g1/stream uid=" + id[0] + ",gid=" + id[1]
                + ",rmode=0500,fmode=0600"), f.ops.toString());
        Path record = GadgetOwner.recordPath(f, "g1");
        assertEquals("prepared " + id[0] + "\n", Files.readString(record));
        assertTrue(Files.exists(new GadgetSetup(f).devicesRecord("g1")));

        f.ops.clear();
        try (LinuxBackend driver = new LinuxBackend(f); Gadget g = driver.createGadget(spec())) {
            assertEquals("prepared " + id[0] + " " + ProcessHandle.current().pid() + "\n", Files.readString(record));
            g.functionFs("stream");
        }
        assertEquals(List.of(), f.ops.stream().filter(o -> o.contains("usb_gadget") || o.contains("mount ")).toList(),
                "the driver composes and removes nothing");
        assertTrue(Files.exists(f.gadgets().resolve("g1")), "the prepared tree outlives the driver");
        assertEquals("prepared " + id[0] + "\n", Files.readString(record));

        new GadgetSetup(f).remove("g1");
        assertFalse(Files.exists(f.gadgets().resolve("g1")));
        assertFalse(Files.exists(new GadgetSetup(f).devicesRecord("g1")));
        assertEquals("", Files.readString(record));
    }

    @Test
    void driverOfAPreparedGadget_missingFunction_ENOENT() {
        FakeSystem f = new FakeSystem(root).kernelReady();
        int[] id = me(f);
        new GadgetSetup(f).prepare(spec(), id[0], id[1]);
        GadgetSpec other = GadgetSpec.builder().name("g1").vendorId(0x1209).productId(0x0001).function("other").build();
        try (LinuxBackend driver = new LinuxBackend(f)) {
            GadgetException e = assertThrows(GadgetException.class, () -> driver.createGadget(other));
            assertEquals(Errno.ENOENT, e.errno());
        }
    }

    @Test
    void remove_ofAGadgetTheSetupDidNotMake_EEXIST() {
        FakeSystem f = new FakeSystem(root).kernelReady();
        try (LinuxBackend b = new LinuxBackend(f); Gadget g = b.createGadget(spec())) {
            // held by a running driver (this JVM): refused before anything is touched
            assertEquals(Errno.EEXIST, assertThrows(GadgetException.class, () -> new GadgetSetup(f).remove("g1")).errno());
        }
    }
}
