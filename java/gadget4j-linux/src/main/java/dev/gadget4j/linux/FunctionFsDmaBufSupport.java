package dev.gadget4j.linux;

import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;

/**
 * Whether the running kernel's FunctionFS has the DMABUF interface (the ATTACH, DETACH and
 * TRANSFER ioctls on endpoint files), which Linux 6.9 added.
 *
 * <p>It is learnt from the kernel release, not by trying an ioctl: before 6.9 f_fs answers an
 * ioctl it does not know only once the endpoint is enabled, so on a blocking endpoint file a
 * probing ATTACH would sleep until the host configures the device (and fail with EAGAIN on a
 * non-blocking one). The DMABUF calls check this first and fail at once with ENOTTY, the errno
 * the kernel gives for an unknown ioctl. A release that cannot be parsed counts as having the
 * interface, so that the kernel's own answer decides.
 */
final class FunctionFsDmaBufSupport {
    /** The detail of every DMABUF call's failure on a kernel without the interface. */
    static final String MISSING = "the kernel has no FunctionFS DMABUF interface (Linux 6.9+)";
    private static final String OSRELEASE = "/proc/sys/kernel/osrelease";

    private static final class Running {
        static final String RELEASE = release(SystemFiles.real());
        /** Decided once: the check runs before every DMABUF call, so it must cost nothing. */
        static final boolean PRESENT = present(RELEASE);
    }

    private FunctionFsDmaBufSupport() {
    }

    /** The kernel release of {@code files}' system ("6.1.0-28-amd64"), or null if unreadable. */
    static String release(SystemFiles files) {
        return files.readOrNull(files.resolve(OSRELEASE));
    }

    /** Whether a kernel of this release has the interface: 6.9 and later, or an unknown release. */
    static boolean present(String release) {
        if (release == null) {
            return true;
        }
        String[] parts = release.split("[^0-9]", 3);
        try {
            int major = Integer.parseInt(parts[0]);
            int minor = Integer.parseInt(parts[1]);
            return major > 6 || (major == 6 && minor >= 9);
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            return true;
        }
    }

    /** What the backend's availability adds on a kernel without the interface, else null. */
    static String missing(SystemFiles files) {
        String release = release(files);
        return present(release) ? null : MISSING + " (kernel " + release + "): classic and AIO I/O only";
    }

    /** Fails {@code op} on {@code object} with ENOTTY when the running kernel lacks the interface. */
    static void require(String op, String object) {
        if (!Running.PRESENT) {
            throw new GadgetException(op, object, Errno.ENOTTY, MISSING + ": this is " + Running.RELEASE);
        }
    }
}
