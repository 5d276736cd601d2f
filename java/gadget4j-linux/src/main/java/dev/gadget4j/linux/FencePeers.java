package dev.gadget4j.linux;

import dev.gadget4j.linux.sys.FenceNames;
import dev.gadget4j.linux.sys.FenceScratch;
import java.util.Arrays;
import java.util.List;

/**
 * The transfers of one buffer on other attachments that were pending when a transfer's sync_file
 * was exported. That export holds their fences next to the transfer's own, and the kernel names
 * neither a fence's context nor its seqno, so the transfer's own fence is found by elimination:
 * each signalled FunctionFS fence in the export whose status and signal time (nanoseconds,
 * CLOCK_MONOTONIC) equal those a peer read from its own sync_file is that peer's. This works
 * only when the export holds exactly one fence per peer plus the transfer's own: then the own
 * fence is pending when no signalled fence is left over, and it is the one left over when every
 * peer was attributed or known still pending (read after the export was); else the reading is
 * {@link Kind#UNKNOWN}. The peers also say which sync_files a DETACH or close must settle: only
 * those whose export may hold a fence of an attachment being dropped ({@link #onAnyOf}).
 */
final class FencePeers {
    /** What one reading of the export says of the transfer's own fence. */
    enum Kind {
        /** Its fence has not signalled. */
        PENDING,
        /** Its fence signalled: {@link Reading#status} and {@link Reading#signalledAt} are its. */
        SIGNALLED,
        /** Cannot tell; {@link Reading#allSignalled} says whether every fence in the export signalled. */
        UNKNOWN
    }

    /** {@code status}: 1 or -errno, as SYNC_IOC_FILE_INFO gives it; {@code common}: the shared status of an all-signalled, alike export (else 0). */
    record Reading(Kind kind, int status, long signalledAt, boolean allSignalled, int common) {
    }

    private static final Reading PENDING = new Reading(Kind.PENDING, 0, 0, false, 0);

    private static final FencePeers NONE_KNOWN = new FencePeers(new LinuxTransfer[0], new long[0], false);

    private final LinuxTransfer[] peers;
    /** Each peer's seqno when it was found pending: a peer object refilled since stands for another transfer. */
    private final long[] seqnos;
    /** False when another transfer of the buffer began in between: the export may hold a fence of any attachment. */
    private final boolean complete;

    private FencePeers(LinuxTransfer[] peers, long[] seqnos, boolean complete) {
        this.peers = peers;
        this.seqnos = seqnos;
        this.complete = complete;
    }

    /** {@code known} (null: none), for an export taken after another transfer of the buffer began meanwhile. */
    static FencePeers incomplete(FencePeers known) {
        return known == null ? NONE_KNOWN : new FencePeers(known.peers, known.seqnos, false);
    }

    /** Whether the export may hold a fence of a transfer on one of {@code attachments}. */
    boolean onAnyOf(List<EndpointDmaBufs.Attachment> attachments) {
        if (!complete) {
            return true;
        }
        for (LinuxTransfer p : peers) {
            if (attachments.contains(p.attachment())) {
                return true;
            }
        }
        return false;
    }

    /**
     * The buffer's transfers other than those on {@code a} that are still pending, each one's
     * fence read once (one that completed unobserved would otherwise make a new transfer's
     * status unattributable); null when there is none.
     */
    static FencePeers pendingOthers(TransferList live, EndpointDmaBufs.Attachment a) {
        if (!live.anyOtherThan(a)) {
            return null;
        }
        LinuxTransfer[] all = live.snapshot();
        LinuxTransfer[] found = new LinuxTransfer[all.length];
        long[] seqnos = new long[all.length];
        int n = 0;
        for (LinuxTransfer t : all) {
            long seq = t.seqno();
            if (t.attachment() == a) {
                continue;
            }
            t.markPeer(); // before the export: its readings keep the signal time from here on
            if (t.stillPending() && t.seqno() == seq) {
                found[n] = t;
                seqnos[n++] = seq;
            }
        }
        if (n == 0) {
            return null;
        }
        return new FencePeers(Arrays.copyOf(found, n), Arrays.copyOf(seqnos, n), true);
    }

    /**
     * Attributes the FunctionFS fences of the reading in {@code s} (a SYNC_IOC_FILE_INFO of the
     * transfer's export that fitted the scratch). Reads the peers' own sync_files meanwhile, so
     * {@code s} is overwritten.
     */
    Reading attribute(FenceScratch s) {
        int count = s.fenceCount();
        int candidates = 0;
        int signalled = 0;
        int common = 0;
        boolean alike = true;
        int[] status = new int[count];
        long[] at = new long[count];
        for (int i = 0; i < count; i++) {
            if (!FenceNames.mayBeFunctionFs(s, i)) {
                continue;
            }
            candidates++;
            int st = s.fenceStatus(i);
            if (st == 0) {
                continue;
            }
            if (signalled == 0) {
                common = st;
            } else if (st != common) {
                alike = false;
            }
            status[signalled] = st;
            at[signalled++] = s.fenceTimestamp(i);
        }
        boolean allSignalled = signalled == candidates;
        Reading unknown = new Reading(Kind.UNKNOWN, 0, 0, allSignalled, allSignalled && alike ? common : 0);
        if (!complete || candidates != peers.length + 1) {
            return unknown;
        }
        if (signalled == 0) {
            return PENDING;
        }
        // Each signalled fence must be a peer's or the transfer's own. The peers are read now,
        // after the export was: a peer still pending now was pending then, so it is none of them.
        boolean[] used = new boolean[signalled];
        int unresolved = 0;
        for (int p = 0; p < peers.length; p++) {
            LinuxTransfer peer = peers[p];
            boolean pendingNow = peer.readPending();
            int match = pendingNow ? -1 : peer.signalledAs(seqnos[p], status, at, used, signalled);
            if (peer.seqno() != seqnos[p]) {
                return unknown;
            }
            if (match >= 0) {
                used[match] = true;
            } else if (!pendingNow) {
                unresolved++;
            }
        }
        int own = -1;
        int left = 0;
        for (int i = 0; i < signalled; i++) {
            if (!used[i]) {
                own = i;
                left++;
            }
        }
        if (left == 0) {
            return PENDING;
        }
        if (left > 1 || unresolved > 0) {
            return unknown;
        }
        return new Reading(Kind.SIGNALLED, status[own], at[own], allSignalled, 0);
    }
}
