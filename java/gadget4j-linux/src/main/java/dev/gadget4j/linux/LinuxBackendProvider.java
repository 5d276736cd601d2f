package dev.gadget4j.linux;

import dev.gadget4j.Backend;
import dev.gadget4j.linux.sys.Arch;
import dev.gadget4j.spi.BackendProvider;
import java.nio.file.Files;
import java.util.List;

/**
 * Provides the Linux backend ({@code linux}, priority 100): available when the kernel can really
 * serve gadgets with DMABUFs, that is configfs with {@code usb_gadget} (libcomposite), a UDC in
 * {@code /sys/class/udc} and {@code /dev/udmabuf}.
 *
 * <p>Whether the FunctionFS DMABUF ioctls exist (Linux 6.9 and later) and whether the UDC can
 * use them (scatter-gather) decide only DMABUF: on a kernel older than 6.9 the availability says
 * so and the DMABUF calls fail with ENOTTY ("the kernel has no FunctionFS DMABUF interface");
 * a UDC without scatter-gather is learnt by trying ({@code Endpoint.attach}: EPERM). Classic and
 * AIO I/O work on both.
 *
 * <p>The check only looks: it reads {@code /proc}, {@code /sys} and {@code /dev} and changes
 * nothing (it mounts nothing, loads no module, creates no directory), so listing backends is safe
 * on any machine and as any user.
 */
public final class LinuxBackendProvider implements BackendProvider {
    private final SystemFiles files;

    /** The provider for this machine. */
    public LinuxBackendProvider() {
        this(SystemFiles.real());
    }

    LinuxBackendProvider(SystemFiles files) {
        this.files = files;
    }

    @Override
    public String name() {
        return "linux";
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public Availability availability() {
        if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            return Availability.no("not Linux (os.name is " + System.getProperty("os.name") + ")");
        }
        String why = whyNot();
        if (why != null) {
            return Availability.no(why);
        }
        String lacking = FunctionFsDmaBufSupport.missing(files);
        return Availability.yes("configfs usb_gadget, /dev/udmabuf, UDC " + udcs(files)
                + (lacking == null ? "" : "; " + lacking));
    }

    private String whyNot() {
        String why = unsupportedJvm(System.getProperty("os.arch", ""), LinuxBackendProvider.class.getModule());
        return why != null ? why : missing(files);
    }

    /**
     * Why this JVM cannot run the backend's downcalls, or null: an architecture whose syscall
     * numbers and ioctl encoding the native layer does not know, or native access not enabled
     * for {@code module} (with the exact flag to add).
     */
    static String unsupportedJvm(String osArch, Module module) {
        if (!Arch.isSupported()) {
            return "unsupported architecture os.arch=" + osArch
                    + " (the Linux backend supports 64-bit amd64, aarch64 and riscv64)";
        }
        if (!module.isNativeAccessEnabled()) {
            return "native access is not enabled for " + (module.isNamed() ? "module " + module.getName() : "the class path")
                    + ": add " + nativeAccessFlag(module) + " to the java command line";
        }
        return null;
    }

    static String nativeAccessFlag(Module module) {
        return "--enable-native-access=" + (module.isNamed() ? module.getName() : "ALL-UNNAMED");
    }

    /** Why the backend cannot work with these files, or null when it can. */
    static String missing(SystemFiles files) {
        if (!files.exists(files.configfs())) {
            return "no " + files.configfs() + " (the kernel lacks CONFIG_CONFIGFS_FS)";
        }
        if (!files.exists(files.gadgets())) {
            if (!configfsMounted(files)) {
                return "configfs is not mounted at " + files.configfs() + " (mount it as root: mount -t configfs none "
                        + files.configfs() + ")";
            }
            if (!files.exists(files.gadgets())) {
                return "configfs has no usb_gadget directory: load libcomposite (modprobe libcomposite)";
            }
        }
        // No check for functionfs in /proc/filesystems: f_fs.c registers the file system only when
        // the first ffs.* function is created, so it is absent on a kernel that has it. A kernel
        // without it fails at createGadget (mkdir functions/ffs.NAME: ENOENT) with that message.
        if (udcs(files).isEmpty()) {
            return "no UDC in " + files.udcClass() + " (load a UDC driver, e.g. dummy_hcd)";
        }
        if (!files.exists(files.udmabufDevice())) {
            return "no " + files.udmabufDevice() + " (load udmabuf, or build the kernel with CONFIG_UDMABUF)";
        }
        if (!Files.isReadable(files.udmabufDevice()) || !Files.isWritable(files.udmabufDevice())) {
            return "no permission to open " + files.udmabufDevice() + " read-write";
        }
        return null;
    }

    static List<String> udcs(SystemFiles files) {
        return files.list(files.udcClass());
    }

    private static boolean configfsMounted(SystemFiles files) {
        String target = files.configfs().toString();
        for (String line : files.lines(files.procMounts())) {
            String[] f = line.split(" ");
            if (f.length >= 3 && f[2].equals("configfs") && ConfigFsTree.unescape(f[1]).equals(target)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Backend open() {
        String why = whyNot();
        if (why != null) {
            throw new dev.gadget4j.BackendUnavailableException("backend 'linux' is not available: " + why);
        }
        return new LinuxBackend(files);
    }
}
