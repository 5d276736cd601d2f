package dev.gadget4j.linux.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.gadget4j.Errno;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The downcalls of a DMABUF transfer's steady state, without objects: each takes the caller's
 * capture-state segment (a {@link FenceScratch}'s) and returns the result or {@code -errno}; the
 * caller builds an exception only on failure.
 *
 * <p>Handles marked critical ({@link Linker.Option#critical}: no thread-state transition, so no
 * safepoint can be reached while they run) are only those whose kernel side never sleeps for an
 * event:
 * <ul>
 *   <li>{@code DMA_BUF_IOCTL_EXPORT_SYNC_FILE}: takes the reservation lock only long enough to
 *       collect the unsignalled fences (no wait for them) and allocates the sync_file;</li>
 *   <li>{@code SYNC_IOC_FILE_INFO}: reads fence states under their spinlocks;</li>
 *   <li>{@code close} of a sync_file: drops fence references (the release of a signalled fence
 *       never waits);</li>
 *   <li>{@code poll} with timeout 0: checks readiness and returns.</li>
 * </ul>
 * Never critical, because they can sleep for seconds or until the host acts: TRANSFER (it waits
 * for ENABLE and up to 5 s for the reservation), DETACH, DMA_BUF_IOCTL_SYNC, poll with a
 * timeout, read/write, and closing endpoint or DMABUF files (they cancel requests).
 *
 * <p>Only TRANSFER captures errno at every call: a call that captures it returns through a
 * runtime call that reads errno (two calls more per downcall, which an emulated CPU pays in full),
 * and FFM slices the capture-state segment at each call, which C2's escape analysis removes in
 * some compilations of the path and not in others (72 to 150 B per transfer in the VM). A
 * sync_file's close has no use for errno (the number is released either way). The others fail
 * without side effects, so on failure they are asked again through a capturing handle to learn
 * the errno: SYNC_IOC_FILE_INFO only reads; a failed EXPORT_SYNC_FILE creates no file (a second
 * one that succeeds is the export, taken a moment later); poll is asked again with timeout 0,
 * and a failure that look does not repeat is reported as EINTR, the one transient failure of
 * poll (the caller looks again).
 */
public final class FenceCalls {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    private static final Linker.Option CRITICAL = Linker.Option.critical(false);
    private static final Linker.Option VARIADIC_IOCTL = Linker.Option.firstVariadicArg(2);

    /** Blocking ioctl with a pointer argument: FUNCTIONFS_DMABUF_TRANSFER. */
    private static final MethodHandle IOCTL = downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), VARIADIC_IOCTL, CAPTURE_ERRNO);
    /** Non-sleeping ioctl: only EXPORT_SYNC_FILE and SYNC_IOC_FILE_INFO go through it. */
    private static final MethodHandle IOCTL_NOW = downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), VARIADIC_IOCTL, CAPTURE_ERRNO, CRITICAL);
    /** EXPORT_SYNC_FILE's and SYNC_IOC_FILE_INFO's first try, without errno. */
    private static final MethodHandle IOCTL_NOW_NO_ERRNO = downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), VARIADIC_IOCTL, CRITICAL);
    /** close() of a sync_file only. */
    private static final MethodHandle CLOSE_NOW = downcall("close",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT), CRITICAL);
    /** poll() that may block, without errno (see the class comment). */
    private static final MethodHandle POLL = downcall("poll",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    /** poll() with timeout 0 only. */
    private static final MethodHandle POLL_NOW = downcall("poll",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), CAPTURE_ERRNO, CRITICAL);

    private FenceCalls() {
    }

    @SuppressWarnings("restricted") // the module is granted native access; this package is where it is used
    private static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("the C library has no " + name));
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    private static int result(int r, MemorySegment state) {
        return r >= 0 ? r : -FenceScratch.errno(state);
    }

    /** FUNCTIONFS_DMABUF_TRANSFER once (no EINTR retry: the caller re-checks the bind state first). */
    public static int transfer(int endpointFd, FenceScratch s) {
        try {
            return result((int) IOCTL.invokeExact(s.state(), endpointFd, Ioctl.FUNCTIONFS_DMABUF_TRANSFER, s.transferReq()),
                    s.state());
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** DMA_BUF_IOCTL_EXPORT_SYNC_FILE with the scratch's export struct: the new fd, or -errno. */
    public static int exportSyncFile(int dmabufFd, int access, FenceScratch s) {
        s.exportRequest(access);
        try {
            if ((int) IOCTL_NOW_NO_ERRNO.invokeExact(dmabufFd, Ioctl.DMA_BUF_IOCTL_EXPORT_SYNC_FILE, s.exportReq()) >= 0) {
                return s.exportedFd();
            }
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
        return exportAgain(dmabufFd, access, s);
    }

    /** A failed export, asked again to learn its errno: -errno, or the new fd if it succeeds now. */
    private static int exportAgain(int dmabufFd, int access, FenceScratch s) {
        s.exportRequest(access);
        try {
            int r = result((int) IOCTL_NOW.invokeExact(s.state(), dmabufFd, Ioctl.DMA_BUF_IOCTL_EXPORT_SYNC_FILE,
                    s.exportReq()), s.state());
            return r < 0 ? r : s.exportedFd();
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /**
     * SYNC_IOC_FILE_INFO into the scratch (room for {@link FenceScratch#FENCES} fences): 0 or
     * -errno; EINVAL means more fences than room.
     */
    public static int fileInfo(int syncFd, FenceScratch s) {
        return fileInfo(syncFd, s, true);
    }

    /**
     * SYNC_IOC_FILE_INFO with {@code num_fences} 0: the file's status, name and fence count
     * only ({@link FenceScratch#fileStatus}, {@link FenceScratch#fileNameStartsWith},
     * {@link FenceScratch#fenceCount}), which spares the kernel the fence array's allocation,
     * second walk and copy. 0 or -errno.
     */
    public static int fileStatus(int syncFd, FenceScratch s) {
        return fileInfo(syncFd, s, false);
    }

    private static int fileInfo(int syncFd, FenceScratch s, boolean fences) {
        request(s, fences);
        try {
            if ((int) IOCTL_NOW_NO_ERRNO.invokeExact(syncFd, Ioctl.SYNC_IOC_FILE_INFO, s.info()) < 0) {
                return fileInfoAgain(syncFd, s, fences);
            }
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
        FenceNames.emulate(s, fences);
        return 0;
    }

    /** A failed SYNC_IOC_FILE_INFO, asked again to learn its errno. */
    private static int fileInfoAgain(int syncFd, FenceScratch s, boolean fences) {
        request(s, fences); // the failed call may have written num_fences
        try {
            int r = result((int) IOCTL_NOW.invokeExact(s.state(), syncFd, Ioctl.SYNC_IOC_FILE_INFO, s.info()), s.state());
            if (r == 0) {
                FenceNames.emulate(s, fences);
            }
            return r;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    private static void request(FenceScratch s, boolean fences) {
        if (fences) {
            s.infoRequest();
        } else {
            s.statusRequest();
        }
    }

    /** close() of a sync_file: 0, or -1 on an error, whose errno is not read (the number is released either way). */
    public static int closeSyncFile(int syncFd) {
        try {
            return (int) CLOSE_NOW.invokeExact(syncFd);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /**
     * poll() once over the scratch's first {@code n} pollfds: the ready count, 0 on timeout, or
     * -errno (EINTR included: the caller recomputes its timeout).
     */
    public static int poll(int n, int timeoutMillis, FenceScratch s) {
        if (timeoutMillis == 0) {
            return pollNow(n, s);
        }
        int r;
        try {
            r = (int) POLL.invokeExact(s.pollFds(), (long) n, timeoutMillis);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
        if (r >= 0) {
            return r;
        }
        // asked again without waiting, to learn the errno; a failure that does not repeat was EINTR
        r = pollNow(n, s);
        return r < 0 ? r : -Errno.EINTR.number();
    }

    private static int pollNow(int n, FenceScratch s) {
        try {
            return result((int) POLL_NOW.invokeExact(s.state(), s.pollFds(), (long) n, 0), s.state());
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }
}
