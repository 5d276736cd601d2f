package dev.gadget4j.linux;

import dev.gadget4j.DmaBuf;
import dev.gadget4j.Endpoint;
import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import dev.gadget4j.Transfer;
import dev.gadget4j.internal.DeadlineCompletion;
import dev.gadget4j.jfr.GadgetEvents;
import dev.gadget4j.linux.sys.Constants;
import dev.gadget4j.linux.sys.FenceCalls;
import dev.gadget4j.linux.sys.FenceScratch;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Optional;

/**
 * A queued FUNCTIONFS_DMABUF_TRANSFER, observed through a sync_file exported from the DMABUF right
 * after the ioctl returned (with DMA_BUF_SYNC_RW: READ alone would miss the READ-usage fences of
 * IN transfers).
 *
 * <p>What the status means, precisely:
 * <ul>
 *   <li>The export holds the DMABUF's unsignalled fences. FunctionFS fences are recognised by
 *       their driver name {@code functionfs}; the kernel exposes neither context nor seqno, so a
 *       fence is attributed to this transfer only when the export holds exactly one FunctionFS
 *       fence and no other transfer of this buffer on another attachment was still pending (its
 *       fence read again then) when it was exported. Then {@link #status()} is that fence's status
 *       and {@link #statusKnown()} is true.</li>
 *   <li>No FunctionFS fence in the export (the kernel returned its signalled stub): the transfer
 *       completed before the export, its error (if any) is gone: done, status empty,
 *       statusKnown false.</li>
 *   <li>Several candidates (the same buffer in flight on several endpoints or attachments at
 *       once): done once all of them signalled; status is their common error if they all failed
 *       alike, else empty; statusKnown false.</li>
 *   <li>DETACH or closing the endpoint file: the library closes the sync_file first, after
 *       reading it a last time (6.12 frees a fence's lock with its attachment). A transfer that
 *       was still pending and was its attachment's latest one is the one the kernel dequeues:
 *       ECONNRESET, known (an attachment has one transfer in flight at most, see
 *       {@link dev.gadget4j.internal.EndpointChecks#noTransferPending}). A pending transfer of the
 *       same buffer on another attachment, whose export may hold this attachment's fences, is
 *       not dequeued and keeps running, but is no longer observable: done, status empty,
 *       statusKnown false.
 *       A transfer that completed in the instant between that last reading and the ioctl is
 *       reported as cancelled (ECONNRESET) although its data moved.</li>
 * </ul>
 * Once done, the sync_file is closed at once, so a finished transfer holds no file descriptor.
 *
 * <p>The sync_file is a bare number owned by one state word: {@code USE} per thread reading or
 * polling it, {@code DROP} once a DETACH or close wants it closed (new users then wait for the
 * result instead), {@code DONE} once the result is published, {@code CLOSING} once one thread
 * (the last user out after DONE, or the dropper) has taken the number to close it, and
 * {@code RELEASED} once it is closed and out of every list: a dropper waits for RELEASED, not
 * CLOSING, before the kernel may free the attachment, since closing a sync_file takes its fences'
 * locks; only a RELEASED transfer may be refilled by its endpoint for a new one (see
 * {@link #refill}). The steady state (export, FILE_INFO, poll, close) allocates nothing but this
 * object, and nothing at all when the caller hands it back to be refilled (the library's streams
 * do); messages are built only on failure. Each result is reported once to a running JFR
 * recording ({@link GadgetEvents#transfer}; one flag test while none runs).
 */
final class LinuxTransfer implements Transfer, DeadlineCompletion {
    private static final byte[] DRIVER = FenceScratch.driverName("functionfs");
    private static final int DROP = 1;
    private static final int DONE = 2;
    private static final int RELEASED = 4;
    private static final int CLOSING = 8;
    private static final int USE = 16;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(LinuxTransfer.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final EndpointDmaBufs owner;
    private final LinuxDmaBuf buf;
    private final EndpointDmaBufs.Attachment attachment;
    /** Set for each transfer the object stands for, before {@code state} publishes it. */
    private long length;
    private long seqno;
    private int syncFd;
    private boolean shared;
    /** {@link GadgetEvents#start()} before the TRANSFER ioctl: 0 while no recording runs. */
    private long started;
    private volatile int state;
    private Errno error;
    private boolean known = true;
    private String note;
    /** Positions in the endpoint's and the buffer's {@link TransferList}; guarded by those lists. */
    private int endpointIndex = -1;
    private int bufferIndex = -1;

    LinuxTransfer(EndpointDmaBufs owner, LinuxDmaBuf buf, EndpointDmaBufs.Attachment attachment, long length,
                  long seqno, int syncFd, boolean shared, long started) {
        this.owner = owner;
        this.buf = buf;
        this.attachment = attachment;
        this.length = length;
        this.seqno = seqno;
        this.syncFd = syncFd;
        this.shared = shared;
        this.started = started;
    }

    /**
     * Whether this object may stand for a new transfer of {@code attachment} on {@code endpoint}:
     * its sync_file is closed and it is in no list, so no other thread can reach it any more
     * (its endpoint's exports and drops of its buffer exclude each other, so no drop of this
     * buffer holds it in a snapshot meanwhile).
     */
    boolean spentFor(EndpointDmaBufs endpoint, EndpointDmaBufs.Attachment attachment) {
        return owner == endpoint && this.attachment == attachment && state == (DONE | CLOSING | RELEASED);
    }

    /** Makes a spent object ({@link #spentFor}) the handle of a new transfer; the state word publishes the fields. */
    LinuxTransfer refill(long length, long seqno, int syncFd, boolean shared, long started) {
        this.length = length;
        this.seqno = seqno;
        this.syncFd = syncFd;
        this.shared = shared;
        this.started = started;
        error = null;
        known = true;
        note = null;
        endpointIndex = -1;
        bufferIndex = -1;
        state = 0;
        return this;
    }

    /** A transfer that is final from the start (queued on an endpoint being closed or detached). */
    static LinuxTransfer settled(EndpointDmaBufs owner, LinuxDmaBuf buf, long length, long seqno, long started,
                                 Errno error, boolean known, String note) {
        LinuxTransfer t = new LinuxTransfer(owner, buf, null, length, seqno, -1, false, started);
        t.publish(error, known, note);
        t.state = DONE | CLOSING | RELEASED;
        return t;
    }

    EndpointDmaBufs.Attachment attachment() {
        return attachment;
    }

    LinuxDmaBuf buf() {
        return buf;
    }

    /** Whether it was queued on an IN endpoint (its fence has READ usage). */
    boolean isIn() {
        return owner.isIn();
    }

    boolean shared() {
        return shared;
    }

    int index(boolean byEndpoint) {
        return byEndpoint ? endpointIndex : bufferIndex;
    }

    void index(boolean byEndpoint, int i) {
        if (byEndpoint) {
            endpointIndex = i;
        } else {
            bufferIndex = i;
        }
    }

    @Override
    public Endpoint endpoint() {
        return owner.endpoint();
    }

    @Override
    public DmaBuf dmaBuf() {
        return buf;
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public long seqno() {
        return seqno;
    }

    private boolean done() {
        return (state & DONE) != 0;
    }

    // ---- the state word ----

    /** Begins a use of the sync_file; false once it is dropped or done (read the result then). */
    private boolean enterUse() {
        while (true) {
            int s = state;
            if ((s & (DROP | DONE)) != 0) {
                return false;
            }
            if (STATE.compareAndSet(this, s, s + USE)) {
                return true;
            }
        }
    }

    /** Ends a use; the last user out of a done transfer closes the sync_file. */
    private void exitUse(FenceScratch s) {
        int now = (int) STATE.getAndAdd(this, -USE) - USE;
        if ((now & DONE) != 0 && now < USE) {
            release(s);
        }
    }

    /**
     * Publishes the result once, and reports it to a running recording; the sync_file is closed
     * by whoever holds the last use.
     */
    private void publish(Errno e, boolean statusKnown, String why) {
        publish(e, statusKnown, why, 0);
    }

    /** {@link #publish(Errno, boolean, String)} with when its fence signalled (0: unknown). */
    private void publish(Errno e, boolean statusKnown, String why, long signalledAt) {
        synchronized (this) {
            if (done()) {
                return;
            }
            error = e;
            known = statusKnown;
            note = why;
            STATE.getAndBitwiseOr(this, DONE);
        }
        GadgetEvents.transfer(owner.path(), GadgetEvents.DMABUF, owner.isIn(), length, e, started, signalledAt);
    }

    /**
     * Closes the sync_file exactly once and forgets the transfer; returns at once when another
     * thread has taken the close (a dropper then waits for RELEASED with {@link #awaitReleased}).
     */
    private void release(FenceScratch s) {
        int prev = (int) STATE.getAndBitwiseOr(this, CLOSING);
        if ((prev & CLOSING) != 0) {
            return;
        }
        if (syncFd >= 0) {
            FenceCalls.closeSyncFile(syncFd, s); // the number is released even when close reports an error
            buf.fences().live.remove(this);
            owner.live().remove(this);
        }
        STATE.getAndBitwiseOr(this, RELEASED);
    }

    // ---- reading the fence ----

    /**
     * Reads the sync_file once (a use or the dropper's exclusivity held) and publishes the result
     * if its fences have signalled. Allocates nothing unless the transfer failed or cannot be attributed.
     */
    private void refresh(FenceScratch s) {
        int r = FenceCalls.fileInfo(syncFd, s);
        if (r < 0) {
            publish(null, false, "its sync_file could not be read: SYNC_IOC_FILE_INFO failed with "
                    + Waits.errno(-r).name());
            return;
        }
        int count = Math.min(s.fenceCount(), FenceScratch.FENCES);
        int candidates = 0;
        int pending = 0;
        int first = 0;
        int firstIndex = 0;
        boolean alike = true;
        for (int i = 0; i < count; i++) {
            if (!s.fenceDriverIs(i, DRIVER)) {
                continue;
            }
            int st = s.fenceStatus(i);
            if (candidates == 0) {
                first = st;
                firstIndex = i;
            } else if (st != first) {
                alike = false;
            }
            candidates++;
            if (st == 0) {
                pending++;
            }
        }
        if (s.fenceCount() > FenceScratch.FENCES) {
            // More fences than room: the kernel filled nothing; decide from the file's status alone.
            if (s.fileStatus() != 0) {
                publish(s.fileStatus() < 0 ? Waits.errno(-s.fileStatus()) : null, false,
                        "its buffer was in flight on several attachments; the kernel does not say which fence is this transfer's");
            }
            return;
        }
        if (candidates == 0) {
            publish(null, false, "it completed before its fence could be exported; the kernel keeps no status then");
        } else if (candidates == 1 && !shared) {
            if (first != 0) {
                // the fence's own signal time: a recording's latency ends there, not at this reading
                publish(first < 0 ? Waits.errno(-first) : null, true, null, s.fenceTimestamp(firstIndex));
            }
        } else if (pending == 0) {
            publish(alike && first < 0 ? Waits.errno(-first) : null, false,
                    "its buffer was in flight on several attachments; the kernel does not say which fence is this transfer's");
        }
    }

    /**
     * Reads the sync_file once if the transfer is still observable: false when a DETACH or close
     * is settling it (its result follows).
     */
    boolean tidy() {
        FenceScratch s = FenceScratch.current();
        if (!enterUse()) {
            return false;
        }
        try {
            refresh(s);
        } finally {
            exitUse(s);
        }
        return true;
    }

    /** Reads the fence once if still observable: whether it is still pending (or being settled). */
    boolean stillPending() {
        tidy();
        return !done();
    }

    /**
     * Settles the transfer before its attachment goes, its sync_file closed on return: no new
     * user, the current users woken (through the owner's wake-up eventfd) and waited for, a last
     * reading, then either the kernel's cancellation (the attachment's latest pending transfer)
     * or an unobservable end.
     */
    void settleBeforeDetach(boolean latest, String cause) {
        int prev = (int) STATE.getAndBitwiseOr(this, DROP);
        if ((prev & (DROP | CLOSING)) != 0) {
            awaitReleased();
            return;
        }
        owner.wakeWaiters();
        try {
            while (state >= USE) {
                DmaBufFences.pause();
            }
        } finally {
            owner.wakeDone();
        }
        FenceScratch s = FenceScratch.current();
        if (!done()) {
            refresh(s);
        }
        if (!done()) {
            if (latest && !shared) {
                publish(Errno.ECONNRESET, true, "cancelled by " + cause);
            } else {
                publish(null, false, "it was still in flight at " + cause + ", which ends what the kernel lets gadget4j "
                        + "observe of it (it was not the attachment's latest transfer, so it was not cancelled)");
            }
        }
        release(s);
        // The last user may have taken the close just before DROP was set: wait until it is done.
        awaitReleased();
    }

    /** Another thread closes the sync_file: wait until it is closed. */
    private void awaitReleased() {
        while ((state & RELEASED) == 0) {
            DmaBufFences.pause();
        }
    }

    // ---- Transfer ----

    @Override
    public boolean isDone() {
        if (!done() && !tidy()) {
            awaitDone();
        }
        return done();
    }

    private void awaitDone() {
        while (!done()) {
            DmaBufFences.pause();
        }
    }

    /**
     * Waits up to {@code timeout} (null: forever): true once done, false on timeout. FILE_INFO is
     * read first, so a transfer that already completed costs no poll.
     */
    @Override
    public boolean waitFor(Duration timeout) {
        return waitUntil(timeout == null ? Long.MAX_VALUE : System.nanoTime() + Waits.nanos(timeout), null);
    }

    /**
     * {@link #waitFor} until a {@link System#nanoTime()} deadline ({@link Long#MAX_VALUE}:
     * forever); false also once {@code waiter} (null: none), where the calling thread is
     * registered, is shut down: its signal interrupts the poll.
     */
    boolean waitUntil(long deadline, BlockedCalls waiter) {
        if (done()) {
            return true;
        }
        FenceScratch s = FenceScratch.current();
        while (!done()) {
            if (waiter != null && waiter.isShutDown()) {
                return false;
            }
            if (!enterUse()) {
                awaitDone();
                break;
            }
            try {
                refresh(s);
                if (done()) {
                    break;
                }
                int wait = -1;
                if (deadline != Long.MAX_VALUE) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    wait = (int) Math.min(Integer.MAX_VALUE, (left + 999_999) / 1_000_000);
                }
                // The sync_file polls readable once every fence in it signalled; the owner's
                // eventfd, when a DETACH or close wants this sync_file closed.
                s.pollFd(0, syncFd, Constants.POLLIN);
                s.pollFd(1, owner.wakeNumber(), Constants.POLLIN);
                int r = FenceCalls.poll(2, wait, s);
                if (r < 0 && r != -Errno.EINTR.number()) {
                    publish(null, false, "poll on its sync_file failed with " + Waits.errno(-r).name());
                }
            } finally {
                exitUse(s);
            }
        }
        return true;
    }

    @Override
    public void await(Duration timeout) {
        awaitUntil(timeout == null ? Long.MAX_VALUE : System.nanoTime() + Waits.nanos(timeout), timeout);
    }

    @Override
    public long awaitBytesUntil(long deadlineNanos) {
        awaitUntil(deadlineNanos, null);
        return length;
    }

    /** {@code timeout} only names the wait in the exception (null: a deadline of the caller's). */
    private void awaitUntil(long deadline, Duration timeout) {
        if (!waitUntil(deadline, null)) {
            throw new GadgetException("wait (DMABUF fence)", owner.path(), Errno.ETIMEDOUT,
                    "transfer #" + seqno + " of DMABUF fd " + buf.fd() + " not complete after "
                            + (timeout != null ? timeout : "the stream's timeout"));
        }
        Errno e = error;
        if (e != null) {
            throw new GadgetException("FUNCTIONFS_DMABUF_TRANSFER", owner.path(), e,
                    "transfer #" + seqno + " of DMABUF fd " + buf.fd() + " completed with " + e.name()
                            + (note == null ? "" : " (" + note + ")"));
        }
    }

    @Override
    public Optional<Errno> status() {
        return isDone() ? Optional.ofNullable(error) : Optional.empty();
    }

    @Override
    public boolean statusKnown() {
        isDone();
        return known;
    }

    @Override
    public String toString() {
        boolean d = done();
        return "transfer #" + seqno + " of " + length + " bytes of DMABUF fd " + buf.fd() + " on " + owner.path()
                + (d ? (error == null ? " done" : " failed: " + error) + (known ? "" : " (status unknown: " + note + ")")
                : " pending");
    }
}
