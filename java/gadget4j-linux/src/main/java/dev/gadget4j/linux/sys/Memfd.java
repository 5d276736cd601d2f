package dev.gadget4j.linux.sys;


/**
 * Sealable memfds, the backing store of udmabuf DMABUFs.
 *
 * <p>udmabuf insists on {@code F_SEAL_SHRINK} (pages it pinned must not disappear) and refuses
 * {@code F_SEAL_WRITE}/{@code F_SEAL_FUTURE_WRITE} (the device writes into them): {@link #create}
 * applies exactly that.
 */
public final class Memfd {
    private Memfd() {
    }

    /**
     * A close-on-exec memfd of {@code size} bytes, sealed against shrinking, named
     * {@code memfd:name} in messages (and in /proc/self/fd).
     */
    public static Fd create(String name, long size) {
        Fd fd = Fd.adopt(Libc.memfdCreate(name, Constants.MFD_CLOEXEC | Constants.MFD_ALLOW_SEALING), "memfd:" + name);
        try {
            fd.truncate(size);
            addSeals(fd, Constants.F_SEAL_SHRINK);
            return fd;
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /** {@code F_ADD_SEALS}. */
    public static void addSeals(Fd memfd, int seals) {
        memfd.fcntl(Constants.F_ADD_SEALS, seals);
    }

    /** {@code F_GET_SEALS}: the seals in place. */
    public static int seals(Fd memfd) {
        return memfd.fcntl(Constants.F_GET_SEALS, 0);
    }
}
