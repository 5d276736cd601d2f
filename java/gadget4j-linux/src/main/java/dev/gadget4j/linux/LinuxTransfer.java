package dev.gadget4j.linux;

import dev.gadget4j.DmaBuf;
import dev.gadget4j.Endpoint;
import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import dev.gadget4j.Transfer;
import dev.gadget4j.internal.DeadlineCompletion;
import dev.gadget4j.internal.EndpointErrors;
import dev.gadget4j.jfr.GadgetEvents;
import dev.gadget4j.linux.sys.Constants;
import dev.gadget4j.linux.sys.Fd;
import dev.gadget4j.linux.sys.FenceCalls;
import dev.gadget4j.linux.sys.FenceNames;
import dev.gadget4j.linux.sys.FenceScratch;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A queued FUNCTIONFS_DMABUF_TRANSFER, observed through a sync_file exported from the DMABUF right
 * after the ioctl returned (with DMA_BUF_SYNC_RW: READ alone would miss the READ-usage fences of
 * IN transfers).
 *
 * <p>What the status means, precisely:
 * <ul>
 *   <li>The export holds the DMABUF's unsignalled fences. FunctionFS fences are recognised by
 *       their driver name {@code functionfs}, and on kernels that hide a signalled fence's names
 *       by the placeholders they show instead ({@link FenceNames}); the kernel exposes neither
 *       context nor seqno. When
 *       no other transfer of this buffer on another attachment was still pending (its fence read
 *       again then) at the export, the export holds exactly this transfer's fence: {@link #status()}
 *       is that fence's status and {@link #statusKnown()} is true.</li>
 *   <li>Otherwise the export also holds those transfers' fences (its {@link FencePeers}), and
 *       this transfer's own is found by elimination: a signalled fence whose status and signal
 *       time equal what a peer read from its own sync_file is the peer's. One left over: this
 *       transfer's, status known; none: still pending.</li>
 *   <li>No FunctionFS fence in the export (the kernel returned its signalled stub): the transfer
 *       completed before the export, its error (if any) is gone: done, status empty,
 *       statusKnown false.</li>
 *   <li>Fences the elimination cannot tell apart (a peer whose own status is unknown, a fence
 *       the library does not track): done once all of them signalled; status is their common
 *       error if they all failed alike, else empty; statusKnown false.</li>
 *   <li>DETACH or closing the endpoint file: the library closes the sync_file first, after
 *       reading it a last time (6.12 frees a fence's lock with its attachment). A transfer still
 *       pending then that is the latest of an attachment being dropped is the one the kernel
 *       dequeues: ECONNRESET, known (an attachment has one transfer in flight at most, see
 *       {@link dev.gadget4j.internal.EndpointChecks#noTransferPending}). A pending transfer of the
 *       same buffer on another attachment that stays, whose export may hold the dropped
 *       attachment's fences, keeps running but is no longer observable: done, status empty,
 *       statusKnown false, and its attachment takes no new transfer (EBUSY) until a fresh export
 *       of the buffer holds no pending FunctionFS fence ({@link #mayStillBeInFlight}).
 *       A transfer that completed in the instant between that last reading and the ioctl is
 *       reported as cancelled (ECONNRESET) although its data moved.</li>
 * </ul>
 * Once done, the sync_file is closed at once, so a finished transfer holds no file descriptor.
 *
 * <p>The sync_file is a bare number owned by one state word: {@code USE} per thread reading or
 * polling it, {@code DROP} once a DETACH or close wants it closed (new users then wait for the
 * result instead), {@code PUBLISHING} once one thread has claimed the result to write it,
 * {@code DONE} once it is written and published, {@code CLOSING} once one thread (the last user
 * out after DONE, or the dropper) has taken the number to close it, and {@code RELEASED} once it
 * is closed and out of its buffer's list: a dropper waits for RELEASED, not CLOSING, before the
 * kernel may free the attachment, since closing a sync_file takes its fences' locks; only a
 * RELEASED transfer may be refilled by its endpoint for a new one (see
 * {@link #refill}). A thread that reads the result while it is the only user and nothing is
 * being dropped (a stream's wait) takes PUBLISHING and CLOSING in one compare-and-set, closes the
 * sync_file and stores the final state, its own use ended with it. While its export holds its own fence alone and nothing needs that fence's
 * signal time (no other transfer took it as a peer, no JFR transfer event measures its latency),
 * FILE_INFO is asked for the file's status, name and count only, without the fence array: the
 * name says the one fence is FunctionFS's ({@link FenceNames#loneFunctionFs}), or that the export
 * holds the kernel's signalled stub alone ({@link FenceNames#loneStub}: the transfer completed
 * before it, as the full reading would also conclude); anything else takes the full reading.
 * The steady state (export, FILE_INFO, poll, close) allocates nothing but this object, and
 * nothing at all when the caller hands it back to be refilled (the library's streams do);
 * messages are built only on failure. Each result is reported once to a running JFR
 * recording ({@link GadgetEvents#transfer}; one flag test while none runs).
 */
final class LinuxTransfer implements Transfer, DeadlineCompletion {
    private static final String SEVERAL =
            "its buffer was in flight on several attachments; the kernel does not say which fence is this transfer's";
    private static final String COMPLETED_BEFORE_EXPORT =
            "it completed before its fence could be exported; the kernel keeps no status then";
    private static final int DROP = 1;
    private static final int DONE = 2;
    private static final int RELEASED = 4;
    private static final int CLOSING = 8;
    /** Taken by the one thread that publishes the result, before it writes it and sets DONE. */
    private static final int PUBLISHING = 16;
    private static final int USE = 32;
    private static final int SPENT = PUBLISHING | DONE | CLOSING | RELEASED;
    private static final VarHandle STATE;
    private static final VarHandle ORPHAN;
    private static final VarHandle PEERED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            STATE = lookup.findVarHandle(LinuxTransfer.class, "state", int.class);
            ORPHAN = lookup.findVarHandle(LinuxTransfer.class, "orphan", boolean.class);
            PEERED = lookup.findVarHandle(LinuxTransfer.class, "peered", boolean.class);
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
    /** The buffer's transfers whose fences its export also holds (null: none). */
    private FencePeers peers;
    /** {@link GadgetEvents#start()} before the TRANSFER ioctl: 0 unless a running recording enables the transfer event. */
    private long started;
    private volatile int state;
    private Errno error;
    private boolean known;
    private String note;
    /** With a known status read from a fence: that fence's status (1 or -errno) and signal time, else 0. */
    private int fenceStatus;
    private long signalledAt;
    /**
     * Its sync_file had to go while it may still have been in flight (another attachment of its
     * buffer was dropped): until a fresh export of the buffer shows no pending FunctionFS fence,
     * its attachment takes no new transfer.
     */
    private volatile boolean orphan;
    /**
     * Another transfer of its buffer took this one as a peer ({@link FencePeers#pendingOthers},
     * before that transfer's export): its readings then take the fence array, since the peer's
     * elimination needs this fence's signal time, which a count-only reading lacks.
     */
    private volatile boolean peered;
    /** Its position in its buffer's {@link TransferList}; guarded by that list. */
    private int listIndex;

    LinuxTransfer(EndpointDmaBufs owner, LinuxDmaBuf buf, EndpointDmaBufs.Attachment attachment, long length,
                  long seqno, int syncFd, FencePeers peers, long started) {
        this.owner = owner;
        this.buf = buf;
        this.attachment = attachment;
        refill(length, seqno, syncFd, peers, started);
    }

    /**
     * Whether this object may stand for a new transfer of {@code attachment} on {@code endpoint}:
     * its sync_file is closed and it is in no list, so no other thread can reach it any more
     * (its endpoint's exports and drops of its buffer exclude each other, so no drop of this
     * buffer holds it in a snapshot meanwhile).
     */
    boolean spentFor(EndpointDmaBufs endpoint, EndpointDmaBufs.Attachment attachment) {
        return owner == endpoint && this.attachment == attachment && state == SPENT;
    }

    /**
     * Sets the per-transfer fields, for a new object and for a spent one ({@link #spentFor}) that
     * stands for a new transfer; the state word, written last with release semantics, publishes
     * them. Other threads find the object through its buffer's list, which it joins after this
     * (under the list's lock), or as its attachment's {@code latest}, where a thread that reads
     * the state word sees every field written before it; so none of these stores needs a
     * volatile store's barrier (on x86 a locked instruction after each, three per transfer).
     */
    LinuxTransfer refill(long length, long seqno, int syncFd, FencePeers peers, long started) {
        this.length = length;
        this.seqno = seqno;
        this.syncFd = syncFd;
        this.peers = peers;
        this.started = started;
        error = null;
        known = true;
        note = null;
        fenceStatus = 0;
        signalledAt = 0;
        ORPHAN.set(this, false);
        PEERED.set(this, false);
        listIndex = -1;
        STATE.setRelease(this, 0);
        return this;
    }

    /** A transfer that is final from the start (queued on an endpoint being closed or detached). */
    static LinuxTransfer settled(EndpointDmaBufs owner, LinuxDmaBuf buf, long length, long seqno, long started,
                                 Errno error, boolean known, String note) {
        LinuxTransfer t = new LinuxTransfer(owner, buf, null, length, seqno, -1, null, started);
        t.publish(error, known, note);
        t.state = SPENT;
        return t;
    }

    EndpointDmaBufs.Attachment attachment() {
        return attachment;
    }

    LinuxDmaBuf buf() {
        return buf;
    }

    /** Another transfer's export may hold its fence: see {@link #peered}. */
    void markPeer() {
        if (!peered) {
            peered = true;
        }
    }

    /** Whether it was queued on an IN endpoint (its fence has READ usage). */
    boolean isIn() {
        return owner.isIn();
    }

    /** Whether its export may hold fences of transfers on one of the attachments {@code drop}. */
    boolean holdsFencesOf(List<EndpointDmaBufs.Attachment> drop) {
        return peers != null && peers.onAnyOf(drop);
    }

    int listIndex() {
        return listIndex;
    }

    void listIndex(int i) {
        listIndex = i;
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

    /**
     * Begins a use of the sync_file; false once it is dropped, or done or being published (read
     * the result then: {@link #awaitDone}).
     */
    private boolean enterUse() {
        while (true) {
            int s = state;
            if ((s & (DROP | DONE | PUBLISHING)) != 0) {
                return false;
            }
            if (STATE.compareAndSet(this, s, s + USE)) {
                return true;
            }
        }
    }

    /**
     * Ends a use; the last user out of a done transfer closes the sync_file. A use that
     * {@link #publish} ended itself (the sole user's finish) is over already: the transfer is
     * RELEASED, which no other path sets while a use is held.
     */
    private void exitUse() {
        if ((state & RELEASED) != 0) {
            return;
        }
        int now = (int) STATE.getAndAdd(this, -USE) - USE;
        if ((now & DONE) != 0 && now < USE) {
            release();
        }
    }

    /**
     * Publishes the result once, and reports it to a running recording; the sync_file is closed
     * by whoever holds the last use.
     */
    private void publish(Errno e, boolean statusKnown, String why) {
        publish(e, statusKnown, why, 0, 0);
    }

    /**
     * Publishes the status its own fence signalled with (1 or -errno) at {@code at}
     * (CLOCK_MONOTONIC ns; 0: not read, so no peer's elimination can match it).
     */
    private void publishFence(int status, long at) {
        publish(status < 0 ? Waits.errno(-status) : null, true, null, status, at);
    }

    private void publish(Errno e, boolean statusKnown, String why, int status, long at) {
        if (state == USE && STATE.compareAndSet(this, USE, USE | PUBLISHING | CLOSING)) {
            // The caller is the only user and no DETACH or close is settling the transfer (a
            // stream's own wait): it claims the result and the close in one step, ends its use
            // with them, and publishes DONE and RELEASED in one release store. New users are
            // refused meanwhile (PUBLISHING) and a dropper that arrives waits for RELEASED
            // (CLOSING): one atomic operation where the claim, DONE, the last use's exit and the
            // close's two bits took five.
            writeResult(e, statusKnown, why, status, at);
            closeSyncFile();
            STATE.setRelease(this, SPENT);
            return;
        }
        // One thread claims the result with a bit, writes it, then sets DONE, which publishes it
        // to the readers of done(): one atomic operation fewer than a monitor around the writes.
        // A thread that loses the claim waits for DONE, a few stores away, so that done() holds
        // on return for every caller, as it did behind the monitor (isDone() must not answer
        // false for a transfer another thread is publishing: a TRANSFER on its attachment would
        // fail with EBUSY).
        if (((int) STATE.getAndBitwiseOr(this, PUBLISHING) & PUBLISHING) != 0) {
            awaitDone();
            return;
        }
        writeResult(e, statusKnown, why, status, at);
        STATE.getAndAdd(this, DONE);
    }

    /** The claimed result's fields, before DONE publishes them; reported to a running recording. */
    private void writeResult(Errno e, boolean statusKnown, String why, int status, long at) {
        error = e;
        known = statusKnown;
        note = why;
        fenceStatus = status;
        signalledAt = at;
        // the fence's own signal time: a recording's latency ends there, not at this reading
        GadgetEvents.transfer(owner.path(), GadgetEvents.DMABUF, owner.isIn(), length, e, started, at);
    }

    /**
     * Closes the sync_file exactly once and forgets the transfer; returns at once when another
     * thread has taken the close (a dropper then waits for RELEASED with {@link #awaitReleased}).
     */
    private void release() {
        int prev = (int) STATE.getAndBitwiseOr(this, CLOSING);
        if ((prev & CLOSING) != 0) {
            return;
        }
        closeSyncFile();
        STATE.getAndBitwiseOr(this, RELEASED);
    }

    /** CLOSING taken: closes the sync_file and leaves the buffer's list. */
    private void closeSyncFile() {
        if (syncFd >= 0) {
            FenceCalls.closeSyncFile(syncFd); // the number is released even when close reports an error
            buf.fences().live.remove(this);
        }
    }

    // ---- reading the fence ----

    /**
     * Reads the sync_file once (a use or the dropper's exclusivity held) and publishes the result
     * if its fences have signalled: whether its own fence is known to be still pending. Allocates
     * nothing unless the transfer failed or cannot be attributed, or its export is shared.
     */
    private boolean refresh(FenceScratch s) {
        if (peers == null && started == 0 && !peered && FenceNames.showsSignalledNames()
                && FenceCalls.fileStatus(syncFd, s) == 0) {
            if (FenceNames.loneFunctionFs(s)) {
                // Its export holds its own fence alone, and nothing needs that fence's signal time
                // (no peer's elimination, no recording's latency): the file's status is the fence's.
                int st = s.fileStatus();
                if (st == 0) {
                    return true;
                }
                if (!peered) {
                    publishFence(st, 0);
                    return false;
                }
                // taken as a peer meanwhile: read its signal time below
            } else if (FenceNames.loneStub(s)) {
                // Its export holds the kernel's signalled stub alone, as the full reading below
                // would show with no FunctionFS fence in it: a stream behind the host meets this
                // often, and the reading with the fence array would cost one call more.
                publish(null, false, COMPLETED_BEFORE_EXPORT);
                return false;
            }
        }
        int r = FenceCalls.fileInfo(syncFd, s);
        if (r < 0) {
            publish(null, false, "its sync_file could not be read: SYNC_IOC_FILE_INFO failed with "
                    + Waits.errno(-r).name());
            return false;
        }
        if (s.fenceCount() > FenceScratch.FENCES) {
            // More fences than room: the kernel filled nothing; decide from the file's status alone.
            if (s.fileStatus() != 0) {
                publish(s.fileStatus() < 0 ? Waits.errno(-s.fileStatus()) : null, false, SEVERAL);
            }
            return false;
        }
        if (peers != null) {
            return refreshShared(s);
        }
        int count = s.fenceCount();
        int candidates = 0;
        int pending = 0;
        int first = 0;
        int firstIndex = 0;
        boolean alike = true;
        for (int i = 0; i < count; i++) {
            if (!FenceNames.mayBeFunctionFs(s, i)) {
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
        if (candidates == 0) {
            publish(null, false, COMPLETED_BEFORE_EXPORT);
        } else if (candidates == 1) {
            if (first == 0) {
                return true;
            }
            publishFence(first, s.fenceTimestamp(firstIndex));
        } else if (pending == 0) {
            // fences the library does not track (a transfer made unobservable, another process)
            publish(alike && first < 0 ? Waits.errno(-first) : null, false, SEVERAL);
        }
        return false;
    }

    /** {@link #refresh} of an export that also holds its peers' fences: attributed by elimination. */
    private boolean refreshShared(FenceScratch s) {
        FencePeers.Reading reading = peers.attribute(s);
        switch (reading.kind()) {
            case PENDING -> {
                return true;
            }
            case SIGNALLED -> publishFence(reading.status(), reading.signalledAt());
            case UNKNOWN -> {
                if (reading.allSignalled()) {
                    publish(reading.common() < 0 ? Waits.errno(-reading.common()) : null, false, SEVERAL);
                }
            }
        }
        return false;
    }

    /**
     * Reads the fence once if still observable: whether its own fence is known to be still
     * pending (false when done, being settled, or not attributable).
     */
    boolean readPending() {
        FenceScratch s = FenceScratch.current();
        if (!enterUse()) {
            return false;
        }
        try {
            return !done() && refresh(s);
        } finally {
            exitUse();
        }
    }

    /**
     * Which of the {@code n} signalled fences ({@code status}, {@code at}; {@code used} ones
     * taken) is this transfer's, as its own reading published it: -1 when it is not done with a
     * fence status of its own, or no longer stands for transfer {@code seq}.
     */
    int signalledAs(long seq, int[] status, long[] at, boolean[] used, int n) {
        if (!done()) {
            return -1;
        }
        int st = fenceStatus;
        long when = signalledAt;
        if (!done() || seqno != seq || when == 0) {
            return -1;
        }
        for (int i = 0; i < n; i++) {
            if (!used[i] && status[i] == st && at[i] == when) {
                return i;
            }
        }
        return -1;
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
            exitUse();
        }
        return true;
    }

    /** Reads the fence once if still observable: whether it is still pending (or being settled). */
    boolean stillPending() {
        if (!tidy() && (state & PUBLISHING) != 0) {
            awaitDone(); // being published: a few stores away
        }
        return !done();
    }

    /**
     * Settles the transfer before an attachment of its buffer goes, its sync_file closed on
     * return: no new user, the current users woken (through the owner's wake-up eventfd) and
     * waited for, a last reading, then, if it was still pending: the kernel's cancellation when
     * it is the latest transfer of an attachment being dropped ({@code cancelled}), else an
     * unobservable end, its attachment held back until the buffer's fences show it is over.
     */
    void settleBeforeDetach(boolean cancelled, String cause) {
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
        boolean pending = !done() && refresh(s);
        if (!done()) {
            if (cancelled && pending) {
                publish(Errno.ECONNRESET, true, "cancelled by " + cause);
            } else if (cancelled) {
                publish(null, false, "at " + cause + " it had completed or was cancelled; its fence could not be told "
                        + "apart from those of its buffer's other transfers");
            } else {
                orphan = true;
                publish(null, false, "it may still have been in flight at " + cause + ", which ends what the kernel "
                        + "lets gadget4j observe of it (its own attachment stays, so it was not cancelled)");
            }
        }
        release();
        // The last user may have taken the close just before DROP was set: wait until it is done.
        awaitReleased();
    }

    /**
     * Whether the kernel may still hold this transfer although it reports done: it became
     * unobservable in flight ({@link #settleBeforeDetach}) and a fresh export of its buffer
     * still holds a pending FunctionFS fence (its own or another transfer's of the buffer: the
     * kernel does not say which). Such an export is no riskier than the one after any TRANSFER
     * of the buffer, and drops of the buffer are held off meanwhile.
     */
    boolean mayStillBeInFlight() {
        if (!orphan) {
            return false;
        }
        FenceScratch s = FenceScratch.current();
        DmaBufFences fences = buf.fences();
        Fd dmabuf = buf.fdHandle();
        dmabuf.acquire(EndpointErrors.TRANSFER);
        fences.enterExport();
        try {
            int sync = FenceCalls.exportSyncFile(dmabuf.number(), Constants.DMA_BUF_SYNC_RW, s);
            if (sync < 0) {
                return true;
            }
            try {
                if (FenceCalls.fileInfo(sync, s) < 0 || s.fenceCount() > FenceScratch.FENCES) {
                    return true;
                }
                for (int i = 0, n = s.fenceCount(); i < n; i++) {
                    if (s.fenceStatus(i) == 0 && FenceNames.mayBeFunctionFs(s, i)) {
                        return true;
                    }
                }
            } finally {
                FenceCalls.closeSyncFile(sync);
            }
        } finally {
            fences.exitExport();
            dmabuf.release();
        }
        orphan = false;
        return false;
    }

    /** Another thread closes the sync_file: wait until it is closed. */
    void awaitReleased() {
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
     * read first, so a transfer that already completed costs no poll, unless the endpoint's last
     * wait found its transfer pending ({@link EndpointDmaBufs#pollFirst}): a stream that is ahead
     * of the host then polls first and reads FILE_INFO once, after the fence signalled.
     */
    @Override
    public boolean waitFor(Duration timeout) {
        long now = System.nanoTime();
        return waitUntil(timeout == null ? Long.MAX_VALUE : now + Waits.nanos(timeout), now, null);
    }

    /**
     * {@link #waitFor} until a {@link System#nanoTime()} deadline ({@link Long#MAX_VALUE}:
     * forever; {@code now}: the caller's reading of that clock for the first poll, as
     * {@link DeadlineCompletion#awaitBytesUntil} takes it); false also once {@code waiter} (null:
     * none), where the calling thread is registered, is shut down: its signal interrupts the poll.
     */
    boolean waitUntil(long deadline, long now, BlockedCalls waiter) {
        if (done()) {
            return true;
        }
        FenceScratch s = owner.scratch();
        // Every 16th wait looks first even so: it finds out whether the stream is still ahead.
        boolean pollFirst = owner.pollFirst && (seqno & 15) != 0;
        boolean polled = false;
        while (!done()) {
            if (waiter != null && waiter.isShutDown()) {
                return false;
            }
            if (!enterUse()) {
                awaitDone();
                break;
            }
            try {
                if ((!pollFirst || polled) && lookedDone(s, polled)) {
                    break;
                }
                if (!owner.pollFirst) { // a store only when the hint changes
                    owner.pollFirst = true;
                }
                int wait = -1;
                if (deadline != Long.MAX_VALUE) {
                    long left = DeadlineCompletion.timeLeft(deadline, now);
                    now = DeadlineCompletion.NO_READING;
                    if (left <= 0) {
                        // Past the deadline (a zero timeout) the fence is read once even where the
                        // hint skipped this look: nobody else reads it, so a poller would never
                        // see the transfer end.
                        if (pollFirst && !polled && lookedDone(s, false)) {
                            break;
                        }
                        return false;
                    }
                    wait = (int) Math.min(Integer.MAX_VALUE, (left + 999_999) / 1_000_000);
                }
                polled = true;
                // The sync_file polls readable once every fence in it signalled; the owner's
                // eventfd, when a DETACH or close wants this sync_file closed.
                s.pollFd(0, syncFd, Constants.POLLIN);
                s.pollFd(1, owner.wakeNumber(), Constants.POLLIN);
                int r = FenceCalls.poll(2, wait, s);
                if (r < 0 && r != -Errno.EINTR.number()) {
                    publish(null, false, "poll on its sync_file failed with " + Waits.errno(-r).name());
                }
            } finally {
                exitUse();
            }
        }
        return true;
    }

    /**
     * Reads the fence ({@link #refresh}): whether the transfer is done. Done with no poll before
     * this look ({@code polled} false) means the host is ahead: the endpoint's next waits look first.
     */
    private boolean lookedDone(FenceScratch s, boolean polled) {
        refresh(s);
        if (!done()) {
            return false;
        }
        if (!polled && owner.pollFirst) { // a store only when the hint changes
            owner.pollFirst = false;
        }
        return true;
    }

    @Override
    public void await(Duration timeout) {
        long now = System.nanoTime();
        if (!waitUntil(timeout == null ? Long.MAX_VALUE : now + Waits.nanos(timeout), now, null)) {
            throw new GadgetException("wait (DMABUF fence)", owner.path(), Errno.ETIMEDOUT,
                    "transfer #" + seqno + " of DMABUF fd " + buf.fd() + " not complete after " + timeout);
        }
        throwIfFailed();
    }

    @Override
    public long awaitBytesUntil(long deadlineNanos, long nowNanos) {
        if (!waitUntil(deadlineNanos, nowNanos, null)) {
            return TIMED_OUT;
        }
        throwIfFailed();
        return length;
    }

    /** Done: its failure as the exception. */
    private void throwIfFailed() {
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
