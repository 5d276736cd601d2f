package dev.gadget4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gadget4j.spi.BackendProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FunctionFsDmaBufSupportTest {
    @TempDir
    Path root;

    private FakeSystem kernel(String release) throws IOException {
        FakeSystem f = new FakeSystem(root).kernelReady();
        Path osrelease = f.resolve("/proc/sys/kernel/osrelease");
        Files.createDirectories(osrelease.getParent());
        Files.writeString(osrelease, release + "\n");
        return f;
    }

    @Test
    void releasesFrom69On_haveTheInterface() {
        assertTrue(FunctionFsDmaBufSupport.present("6.9.0"));
        assertTrue(FunctionFsDmaBufSupport.present("6.12.117"));
        assertTrue(FunctionFsDmaBufSupport.present("7.0.0-rc1"));
    }

    @Test
    void vendorReleasesBefore69_lackIt() {
        assertFalse(FunctionFsDmaBufSupport.present("6.1.0-28-amd64"));
        assertFalse(FunctionFsDmaBufSupport.present("6.8.12"));
        assertFalse(FunctionFsDmaBufSupport.present("5.10.160-rockchip"));
        assertFalse(FunctionFsDmaBufSupport.present("4.19"));
    }

    @Test
    void unknownRelease_leavesTheAnswerToTheKernel() {
        assertTrue(FunctionFsDmaBufSupport.present(null));
        assertTrue(FunctionFsDmaBufSupport.present("custom"));
        assertTrue(FunctionFsDmaBufSupport.present("6"));
    }

    @Test
    void availabilityOnA61Kernel_namesWhatIsMissing() throws IOException {
        BackendProvider.Availability a = new LinuxBackendProvider(kernel("6.1.192")).availability();
        assertTrue(a.available(), "classic and AIO I/O still work: " + a.reason());
        assertTrue(a.reason().endsWith("; the kernel has no FunctionFS DMABUF interface (Linux 6.9+) (kernel 6.1.192):"
                + " classic and AIO I/O only"), a.reason());
    }

    @Test
    void availabilityOnA612Kernel_saysNothingIsMissing() throws IOException {
        FakeSystem f = kernel("6.12.117");
        assertNull(FunctionFsDmaBufSupport.missing(f));
        BackendProvider.Availability a = new LinuxBackendProvider(f).availability();
        assertEquals("configfs usb_gadget, /dev/udmabuf, UDC [dummy_udc.0]", a.reason());
    }
}
