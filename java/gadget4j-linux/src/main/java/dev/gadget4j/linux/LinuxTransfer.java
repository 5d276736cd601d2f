package dev.gadget4j.linux;

import dev.gadget4j.DmaBuf;
import dev.gadget4j.Endpoint;
import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import dev.gadget4j.Transfer;
import dev.gadget4j.linux.sys.Constants;
import dev.gadget4j.linux.sys.Fd;
import dev.gadget4j.linux.sys.Poll;
import dev.gadget4j.linux.sys.SyncFile;
import java.time.Duration;
import java.util.ArrayList;
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
 *       their driver name {@code functionfs}; the kernel exposes neither context nor seqno, so a
 *       fence is attributed to this transfer only when the export holds exactly one FunctionFS
 *       fence and no other transfer of this buffer on another attachment was in flight (as far as
 *       this library knew) when it was exported. Then {@link #status()} is that fence's status
 *       and {@link #statusKnown()} is true.</li>
 *   <li>No FunctionFS fence in the export (the kernel returned its signalled stub): the transfer
 *       completed before the export, its error (if any) is gone: done, status empty,
 *       statusKnown false.</li>
 *   <li>Several candidates (the same buffer in flight on several endpoints or attachments at
 *       once): done once all of them signalled; status is their common error if they all failed
 *       alike, else empty; statusKnown false.</li>
 *   <li>DETACH or closing the endpoint file: the library closes the sync_file first (see
 *       {@link FenceGuard}), after reading it a last time. A transfer that was still pending and
 *       was its attachment's latest one is the one the kernel dequeues: ECONNRESET, known. An
 *       earlier one still pending on the same attachment is not dequeued and keeps running, but
 *       is no longer observable: done, status empty, statusKnown false. A transfer that completed
 *       in the instant between that last reading and the ioctl is reported as cancelled
 *       (ECONNRESET) although its data moved.</li>
 * </ul>
 * Once done, the sync_file is closed at once, so a finished transfer holds no file descriptor.
 */
final class LinuxTransfer implements Transfer {
    private static final String DRIVER = "functionfs";

    private final LinuxEndpoint endpoint;
    private final LinuxDmaBuf buf;
    private final LinuxEndpoint.Attachment attachment;
    private final long length;
    private final long seqno;
    private final FenceGuard guard;
    /** Guarded by the guard's read side for use, its write side (or this) for change. */
    private Fd syncFile;
    private final boolean shared;
    private volatile boolean done;
    private volatile Errno error;
    private volatile boolean known = true;
    private volatile String note;

    LinuxTransfer(LinuxEndpoint endpoint, LinuxDmaBuf buf, LinuxEndpoint.Attachment attachment, long length,
                  long seqno, FenceGuard guard, Fd syncFile, boolean shared) {
        this.endpoint = endpoint;
        this.buf = buf;
        this.attachment = attachment;
        this.length = length;
        this.seqno = seqno;
        this.guard = guard;
        this.syncFile = syncFile;
        this.shared = shared;
    }

    /** A transfer that is final from the start (queued on an endpoint being closed or detached). */
    static LinuxTransfer settled(LinuxEndpoint endpoint, LinuxDmaBuf buf, long length, long seqno, FenceGuard guard,
                                 Errno error, boolean known, String note) {
        LinuxTransfer t = new LinuxTransfer(endpoint, buf, null, length, seqno, guard, null, false);
        t.finish(error, known, note);
        return t;
    }

    LinuxEndpoint.Attachment attachment() {
        return attachment;
    }

    LinuxDmaBuf buf() {
        return buf;
    }

    boolean shared() {
        return shared;
    }

    @Override
    public Endpoint endpoint() {
        return endpoint;
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

    private synchronized void finish(Errno e, boolean statusKnown, String why) {
        if (done) {
            return;
        }
        error = e;
        known = statusKnown;
        note = why;
        done = true;
        if (syncFile != null) {
            syncFile.close();
            syncFile = null;
        }
        buf.transferSettled(this);
        endpoint.transferSettled(this);
    }

    /** Reads the sync_file once and settles the transfer if its fence has signalled. Guard read side held. */
    void refresh() {
        Fd f;
        synchronized (this) {
            if (done || syncFile == null) {
                return;
            }
            f = syncFile;
        }
        SyncFile.Info info;
        try {
            info = SyncFile.info(f);
        } catch (GadgetException e) {
            finish(null, false, "its sync_file could not be read: " + e.getMessage());
            return;
        }
        List<SyncFile.FenceInfo> candidates = new ArrayList<>();
        for (SyncFile.FenceInfo fi : info.fences()) {
            if (DRIVER.equals(fi.driverName())) {
                candidates.add(fi);
            }
        }
        if (candidates.isEmpty()) {
            finish(null, false, "it completed before its fence could be exported; the kernel keeps no status then");
            return;
        }
        if (candidates.size() == 1 && !shared) {
            int s = candidates.getFirst().status();
            if (s != 0) {
                finish(s < 0 ? Waits.errno(-s) : null, true, null);
            }
            return;
        }
        for (SyncFile.FenceInfo fi : candidates) {
            if (fi.status() == 0) {
                return;
            }
        }
        Errno common = errorOf(candidates.getFirst());
        boolean alike = common != null;
        for (SyncFile.FenceInfo fi : candidates) {
            alike &= errorOf(fi) == common;
        }
        finish(alike ? common : null, false, "its buffer was in flight on several attachments; the kernel does not "
                + "say which fence is this transfer's");
    }

    private static Errno errorOf(SyncFile.FenceInfo fi) {
        return fi.status() < 0 ? Waits.errno(-fi.status()) : null;
    }


    /**
     * Settles the transfer before its attachment goes (guard write side held): a last reading,
     * then either the kernel's cancellation (the attachment's latest pending transfer) or an
     * unobservable end.
     */
    void settleBeforeDetach(boolean latest, String cause) {
        refresh();
        if (done) {
            return;
        }
        if (latest && !shared) {
            finish(Errno.ECONNRESET, true, "cancelled by " + cause);
        } else {
            finish(null, false, "it was still in flight at " + cause + ", which ends what the kernel lets gadget4j "
                    + "observe of it (it was not the attachment's latest transfer, so it was not cancelled)");
        }
    }

    @Override
    public boolean isDone() {
        if (!done) {
            guard.readLock();
            try {
                refresh();
            } finally {
                guard.readUnlock();
            }
        }
        return done;
    }

    @Override
    public void await(Duration timeout) {
        long deadline = System.nanoTime() + Waits.nanos(timeout);
        while (!done) {
            guard.readLock();
            try {
                Fd f;
                synchronized (this) {
                    f = syncFile;
                }
                if (done || f == null) {
                    break;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    refresh(); // it may have signalled just now
                    if (done) {
                        break;
                    }
                    throw new GadgetException("wait (DMABUF fence)", endpoint.path(), Errno.ETIMEDOUT,
                            "transfer #" + seqno + " of DMABUF fd " + buf.fd() + " not complete after " + timeout);
                }
                // The sync_file polls readable once every fence in it signalled: read it only then.
                int[] revents = new int[2];
                Poll.poll(List.of(f, guard.wakeFd()), new int[] {Constants.POLLIN, Constants.POLLIN}, revents,
                        (left + 999_999) / 1_000_000);
                if (revents[0] != 0) {
                    refresh();
                }
            } finally {
                guard.readUnlock();
            }
        }
        Errno e = error;
        if (e != null) {
            throw new GadgetException("FUNCTIONFS_DMABUF_TRANSFER", endpoint.path(), e,
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
        return "transfer #" + seqno + " of " + length + " bytes of DMABUF fd " + buf.fd() + " on " + endpoint.path()
                + (done ? (error == null ? " done" : " failed: " + error) + (known ? "" : " (status unknown: " + note + ")")
                : " pending");
    }
}
