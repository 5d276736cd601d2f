package dev.gadget4j.stream;

import dev.gadget4j.Completion;
import dev.gadget4j.internal.DeadlineCompletion;
import java.time.Duration;

/** A completion that has already happened, holding its byte count; reused, never allocated per request. */
final class Settled implements Completion, DeadlineCompletion {
    long bytes;

    @Override
    public long awaitBytesUntil(long deadlineNanos, long nowNanos) {
        return bytes;
    }

    @Override
    public boolean isDone() {
        return true;
    }

    @Override
    public long awaitBytes(Duration timeout) {
        return bytes;
    }
}
