package dev.gadget4j.linux;

import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import dev.gadget4j.linux.sys.Constants;
import dev.gadget4j.linux.sys.Fd;
import dev.gadget4j.linux.sys.Libc;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where the backend finds the kernel's files, and how it changes them: configfs, sysfs, /proc,
 * /dev and the mount points of FunctionFS instances. Everything is relative to one root so that
 * tests can run the same code against a fake tree in a temporary directory.
 *
 * <p>Attribute writes go through {@code open}/{@code write} downcalls so that the kernel's errno
 * (EBUSY or ENODEV from {@code UDC}) reaches the exception unchanged; directory operations go
 * through {@link java.nio.file.Files}, whose exceptions are mapped back to errno names.
 */
class SystemFiles {
    /** System property naming the run directory (owner records, FunctionFS mount points). */
    static final String RUN_DIR_PROPERTY = "gadget4j.runDir";
    /** Environment variable naming the run directory, when the system property is not set. */
    static final String RUN_DIR_ENV = "GADGET4J_RUN_DIR";
    static final String DEFAULT_RUN_DIR = "/run/gadget4j";

    private final Path root;
    private final String runDir;

    SystemFiles(Path root) {
        this(root, DEFAULT_RUN_DIR);
    }

    SystemFiles(Path root, String runDir) {
        this.root = root;
        this.runDir = runDir;
    }

    /** The real system, with the run directory from the system property, the environment or the default. */
    static SystemFiles real() {
        return new SystemFiles(Path.of("/"), configuredRunDir());
    }

    static String configuredRunDir() {
        String dir = System.getProperty(RUN_DIR_PROPERTY);
        if (dir == null || dir.isBlank()) {
            dir = System.getenv(RUN_DIR_ENV);
        }
        if (dir == null || dir.isBlank()) {
            return DEFAULT_RUN_DIR;
        }
        Path p = Path.of(dir);
        if (!p.isAbsolute()) {
            throw new IllegalArgumentException(RUN_DIR_PROPERTY + "/" + RUN_DIR_ENV + " must be an absolute path, got " + dir);
        }
        return p.normalize().toString();
    }

    Path root() {
        return root;
    }

    Path resolve(String absolute) {
        return root.resolve(absolute.startsWith("/") ? absolute.substring(1) : absolute);
    }

    Path configfs() {
        return resolve("/sys/kernel/config");
    }

    Path gadgets() {
        return resolve("/sys/kernel/config/usb_gadget");
    }

    Path udcClass() {
        return resolve("/sys/class/udc");
    }

    Path procFilesystems() {
        return resolve("/proc/filesystems");
    }

    Path procMounts() {
        return resolve("/proc/mounts");
    }

    Path udmabufDevice() {
        return resolve("/dev/udmabuf");
    }

    /** {@code /dev/dma_heap}: one device node per DMA heap. */
    Path dmaHeaps() {
        return resolve("/dev/dma_heap");
    }

    Path udmabufSizeLimit() {
        return resolve("/sys/module/udmabuf/parameters/size_limit_mb");
    }

    /**
     * The run directory: owner records ({@code RUN_DIR/GADGET.owner}) and FunctionFS mount points
     * ({@code RUN_DIR/GADGET/FUNCTION}); {@code /run/gadget4j} unless configured.
     */
    Path mountBase() {
        return resolve(runDir);
    }

    Path usbDevices() {
        return resolve("/dev/bus/usb");
    }

    boolean exists(Path p) {
        return Files.exists(p, LinkOption.NOFOLLOW_LINKS);
    }

    /** The names in a directory, sorted; empty when it does not exist. */
    List<String> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** A small file's content without the trailing newline, or null if it cannot be read. */
    String readOrNull(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8).strip();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Lines of a file, empty if unreadable. */
    List<String> lines(Path p) {
        try {
            return Files.readAllLines(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return List.of();
        }
    }

    void mkdir(Path dir) {
        try {
            Files.createDirectory(dir);
        } catch (IOException e) {
            throw failure("mkdir", dir, e);
        }
    }

    void mkdirs(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw failure("mkdir", dir, e);
        }
    }

    /** rmdir of a directory, or unlink of a symlink or file. */
    void remove(Path p) {
        try {
            Files.delete(p);
        } catch (IOException e) {
            throw failure(Files.isSymbolicLink(p) || !Files.isDirectory(p) ? "unlink" : "rmdir", p, e);
        }
    }

    void symlink(Path link, Path target) {
        try {
            Files.createSymbolicLink(link, target);
        } catch (IOException e) {
            throw failure("symlink", link, e);
        }
    }

    /**
     * Writes {@code value} to an attribute in one write() call, as configfs and sysfs expect.
     * The file must exist (configfs creates attributes with their directory); the fake tree of
     * tests creates it.
     */
    void write(Path attribute, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        try (Fd fd = Fd.open(attribute.toString(), Constants.O_WRONLY | createFlag(attribute), 0644,
                attribute.toString());
             Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(Math.max(1, bytes.length));
            MemorySegment.copy(bytes, 0, buf, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, bytes.length);
            fd.write(buf.asSlice(0, bytes.length));
        }
    }

    /** Extra open flags for attribute writes: none on the real kernel, whose attributes exist already. */
    int createFlag(Path attribute) {
        return 0;
    }

    /** mount(2); {@code options} (the data argument, e.g. "uid=1000,fmode=0600") may be null. */
    void mount(String source, Path target, String fstype, String options) {
        Libc.mount(source, target.toString(), fstype, 0, options);
    }

    /** Numeric owner and group of a file (no symlink followed). */
    int[] owner(Path p) {
        try {
            return new int[] {(Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS),
                    (Integer) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS)};
        } catch (IOException e) {
            throw failure("stat", p, e);
        }
    }

    /** chown(2) by number; configfs attributes and device nodes accept it. */
    void chown(Path p, int uid, int gid) {
        try {
            Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(p, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw failure("chown", p, e);
        }
    }

    /** Writes a small state file of ours (not a kernel attribute) in one go, replacing it. */
    void writeState(Path p, String content) {
        try {
            Files.writeString(p, content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw failure("write", p, e);
        }
    }

    void umount(Path target) {
        try {
            Libc.umount2(target.toString(), 0);
        } catch (GadgetException e) {
            if (e.errno() != Errno.EBUSY) {
                throw e;
            }
            // Someone else (a shell, another process) still has a file open there: detach lazily,
            // the instance goes away with its last user.
            Libc.umount2(target.toString(), Constants.MNT_DETACH);
        }
    }

    boolean isRoot() {
        String status = readOrNull(Path.of("/proc/self/status"));
        if (status == null) {
            return false;
        }
        for (String line : status.split("\n")) {
            if (line.startsWith("Uid:")) {
                String[] f = line.substring(4).trim().split("\\s+");
                return f.length > 1 && f[1].equals("0");
            }
        }
        return false;
    }

    /** The JDK reports other errors by their strerror text only ("Read-only file system"). */
    private static Errno byStrerror(String reason) {
        for (Errno e : Errno.values()) {
            if (e.description().equalsIgnoreCase(reason)) {
                return e;
            }
        }
        return switch (reason) {
            case "Bad file descriptor" -> Errno.EBADF;
            case "Cannot allocate memory" -> Errno.ENOMEM;
            default -> Errno.EIO;
        };
    }

    static GadgetException failure(String operation, Path p, IOException e) {
        Errno errno;
        if (e instanceof FileAlreadyExistsException) {
            errno = Errno.EEXIST;
        } else if (e instanceof NoSuchFileException) {
            errno = Errno.ENOENT;
        } else if (e instanceof AccessDeniedException) {
            errno = Errno.EACCES;
        } else if (e instanceof DirectoryNotEmptyException) {
            errno = Errno.ENOTEMPTY;
        } else if (e instanceof NotDirectoryException) {
            errno = Errno.ENOTDIR;
        } else if (e instanceof FileSystemException fse && fse.getReason() != null) {
            errno = byStrerror(fse.getReason());
        } else {
            errno = Errno.EIO;
        }
        String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new GadgetException(operation, p.toString(), errno, reason, e);
    }
}
