package dev.gadget4j.linux;

import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The owner record of one gadget name: {@code RUN_DIR/NAME.owner}, locked (a POSIX record lock)
 * by the process that owns the configfs tree {@code usb_gadget/NAME} for as long as it owns it,
 * and holding that process's pid.
 *
 * <p>The kernel drops the lock when its process dies, however it dies, so the record tells three
 * cases apart without guessing from pids: locked (a live owner: refuse), unlocked with a pid
 * (its owner died without cleaning up: the tree is stale and may be removed), empty or absent
 * (no gadget4j process made the tree: it belongs to someone else, e.g. adbd). The file is never
 * deleted, only emptied on release: deleting a lock file lets two processes lock two different
 * inodes of the same name.
 *
 * <p>A gadget that a privileged setup prepared for an unprivileged driver has the record
 * {@code prepared UID}, owned by that user; the driver appends its pid while it runs and
 * restores the line when it stops, so the tree outlives every driver run until the setup
 * removes it.
 */
final class GadgetOwner implements AutoCloseable {
    /** What the record said before this process took it. */
    enum Previous {
        /** Empty or absent: released cleanly, or never written. */
        NONE,
        /** A pid whose process no longer holds the lock: it died owning the gadget. */
        DEAD_OWNER
    }

    private static final String PREPARED = "prepared ";

    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;
    private final Previous previous;
    private final String previousPid;
    /** The uid a setup prepared the gadget for, or -1. */
    private volatile int preparedFor;
    private boolean closed;

    private GadgetOwner(Path path, FileChannel channel, FileLock lock, String previousPid, int preparedFor) {
        this.path = path;
        this.channel = channel;
        this.lock = lock;
        this.previousPid = previousPid;
        this.previous = previousPid.isEmpty() ? Previous.NONE : Previous.DEAD_OWNER;
        this.preparedFor = preparedFor;
    }

    static Path recordPath(SystemFiles files, String gadget) {
        return files.mountBase().resolve(gadget + ".owner");
    }

    /**
     * Locks the record of {@code gadget} and writes this process's pid into it.
     *
     * @throws GadgetException EEXIST when a live process holds it (naming its pid), or the
     *                         failure to create the record (read-only or missing run directory)
     */
    static GadgetOwner acquire(SystemFiles files, String gadget) {
        Path path = recordPath(files, gadget);
        files.mkdirs(path.getParent());
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw SystemFiles.failure("open", path, e);
        }
        try {
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // this JVM holds it already, through another gadget of the same name
            }
            String before = read(ch).strip();
            if (lock == null) {
                throw new GadgetException("lock", path.toString(), Errno.EEXIST,
                        "gadget " + gadget + " is owned by the running process "
                                + (before.isEmpty() ? "(pid unknown)" : before)
                                + "; stop it first, or pick another gadget name");
            }
            int preparedFor = -1;
            String pid = before;
            if (before.startsWith(PREPARED)) {
                String[] f = before.substring(PREPARED.length()).split(" ");
                preparedFor = Integer.parseInt(f[0]);
                pid = f.length > 1 ? f[1] : "";
            }
            GadgetOwner owner = new GadgetOwner(path, ch, lock, pid, preparedFor);
            owner.record(true);
            return owner;
        } catch (IOException e) {
            LinuxBackend.closeQuietly(ch);
            throw SystemFiles.failure("lock", path, e);
        } catch (RuntimeException e) {
            LinuxBackend.closeQuietly(ch);
            throw e;
        }
    }

    /** Rewrites the record: the prepared-for line if any, and this pid while {@code running}. */
    private void record(boolean running) throws IOException {
        String pid = running ? Long.toString(ProcessHandle.current().pid()) : "";
        String line = preparedFor >= 0 ? (PREPARED + preparedFor + (running ? " " + pid : "")) : pid;
        channel.truncate(0);
        if (!line.isEmpty()) {
            channel.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        }
        channel.force(false);
    }

    /** The uid a privileged setup prepared this gadget for, or -1. */
    int preparedFor() {
        return preparedFor;
    }

    /** Marks the gadget as prepared for {@code uid} (the setup, after composing it). */
    void markPrepared(int uid) {
        preparedFor = uid;
        try {
            record(true);
        } catch (IOException e) {
            throw SystemFiles.failure("write", path, e);
        }
    }

    /** Forgets the prepared-for mark (the setup, removing the gadget). */
    void clearPrepared() {
        preparedFor = -1;
    }

    private static String read(FileChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(64);
        int n = ch.read(b, 0);
        return n <= 0 ? "" : new String(b.array(), 0, n, StandardCharsets.US_ASCII);
    }

    Previous previous() {
        return previous;
    }

    /** The pid the record held before, when {@link #previous()} is {@link Previous#DEAD_OWNER}. */
    String previousPid() {
        return previousPid;
    }

    Path path() {
        return path;
    }

    /**
     * Empties the record (or restores its prepared-for line) and releases the lock: the tree is
     * gone, or stays prepared for the next driver. Harmless twice.
     */
    @Override
    public void close() {
        release(true);
    }

    /**
     * Releases the lock but keeps this pid in the record: the tree could not be removed, and the
     * next process to create the gadget is to treat it as stale. Harmless twice.
     */
    void abandon() {
        release(false);
    }

    private synchronized void release(boolean empty) {
        if (closed) {
            return;
        }
        closed = true;
        if (empty) {
            try {
                record(false);
            } catch (IOException ignored) {
                // A record that keeps our pid reads as a dead owner later, which is still right.
            }
        }
        try {
            lock.release();
        } catch (IOException ignored) {
            // Closing the channel below releases it too.
        }
        LinuxBackend.closeQuietly(channel);
    }
}
