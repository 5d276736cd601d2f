package dev.gadget4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gadget4j.spi.BackendProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinuxBackendProviderTest {
    @TempDir
    Path root;

    private BackendProvider.Availability availability(FakeSystem files) {
        return new LinuxBackendProvider(files).availability();
    }

    @Test
    void nameAndPriority() {
        LinuxBackendProvider p = new LinuxBackendProvider();
        assertEquals("linux", p.name());
        assertEquals(100, p.priority());
    }

    @Test
    void everythingPresent_available() {
        BackendProvider.Availability a = availability(new FakeSystem(root).kernelReady());
        assertTrue(a.available(), a.reason());
        assertTrue(a.reason().contains("dummy_udc.0"), a.reason());
    }

    @Test
    void noConfigfsDirectory() {
        BackendProvider.Availability a = availability(new FakeSystem(root));
        assertFalse(a.available());
        assertTrue(a.reason().contains("CONFIG_CONFIGFS_FS"), a.reason());
    }

    @Test
    void configfsNotMounted() throws IOException {
        FakeSystem f = new FakeSystem(root);
        Files.createDirectories(f.configfs());
        BackendProvider.Availability a = availability(f);
        assertFalse(a.available());
        assertTrue(a.reason().startsWith("configfs is not mounted at " + f.configfs()), a.reason());
    }

    @Test
    void availability_changesNothing() throws IOException {
        FakeSystem f = new FakeSystem(root) {
            @Override
            void mount(String source, Path target, String fstype, String options) {
                throw new AssertionError("the availability check mounted " + fstype + " at " + target);
            }

            @Override
            boolean isRoot() {
                return true;
            }
        };
        Files.createDirectories(f.configfs());
        Files.writeString(f.procFilesystems(), "nodev\tconfigfs\n");
        BackendProvider.Availability a = availability(f);
        assertFalse(a.available());
        assertTrue(a.reason().contains("mount -t configfs none " + f.configfs()), a.reason());
        assertTrue(f.ops.isEmpty(), f.ops.toString());
    }

    @Test
    void nativeAccessDisabled_unavailable_namesTheExactFlag() {
        // A boot-layer module that was not given native access (java.logging or the like).
        Module notEnabled = ModuleLayer.boot().modules().stream().filter(m -> !m.isNativeAccessEnabled())
                .findFirst().orElseThrow();
        String why = LinuxBackendProvider.unsupportedJvm("amd64", notEnabled);
        assertTrue(why != null && why.contains("add --enable-native-access=" + notEnabled.getName()), why);
        assertEquals("--enable-native-access=ALL-UNNAMED",
                LinuxBackendProvider.nativeAccessFlag(getClass().getClassLoader().getUnnamedModule()));
        assertEquals(null, LinuxBackendProvider.unsupportedJvm("amd64", LinuxBackendProvider.class.getModule()));
    }

    @Test
    void configfsMountedWithoutLibcomposite() throws IOException {
        FakeSystem f = new FakeSystem(root);
        Files.createDirectories(f.configfs());
        Files.writeString(f.procMounts(), "configfs " + f.configfs() + " configfs rw 0 0\n");
        BackendProvider.Availability a = availability(f);
        assertFalse(a.available());
        assertTrue(a.reason().contains("libcomposite"), a.reason());
    }

    @Test
    void functionfsNotYetRegistered_stillAvailable() throws IOException {
        // f_fs.c registers "functionfs" with its first instance: its absence proves nothing.
        FakeSystem f = new FakeSystem(root).kernelReady();
        Files.writeString(f.procFilesystems(), "nodev\tconfigfs\n");
        assertTrue(availability(f).available(), availability(f).reason());
    }

    @Test
    void noUdc() throws IOException {
        FakeSystem f = new FakeSystem(root).kernelReady();
        Files.delete(f.udcClass().resolve("dummy_udc.0"));
        BackendProvider.Availability a = availability(f);
        assertFalse(a.available());
        assertTrue(a.reason().startsWith("no UDC in " + f.udcClass()), a.reason());
    }

    @Test
    void noUdmabuf() throws IOException {
        FakeSystem f = new FakeSystem(root).kernelReady();
        Files.delete(f.udmabufDevice());
        BackendProvider.Availability a = availability(f);
        assertFalse(a.available());
        assertTrue(a.reason().startsWith("no " + f.udmabufDevice()), a.reason());
    }
}
