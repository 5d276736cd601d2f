package dev.gadget4j.conformance.fuzz;

/** What the fuzzer makes of two backends' outcomes of one step. */
final class Outcomes {
    /** A wait that ended without a completion: a request, host transfer or fence still pending. */
    static final String TIMED_OUT = "ETIMEDOUT";
    /** No event, no request to reap, no transfer to await. */
    static final String NONE = "none";

    private Outcomes() {
    }

    /** Whether the step saw something complete (or had nothing to wait for but answered at once). */
    static boolean completed(String outcome) {
        return !outcome.equals(TIMED_OUT) && !outcome.equals(NONE);
    }

    /** Whether the two outcomes of {@code op} agree. */
    static boolean agree(FuzzOp op, String left, String right) {
        return left.equals(right);
    }
}
