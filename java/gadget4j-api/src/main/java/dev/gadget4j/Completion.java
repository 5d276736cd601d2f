package dev.gadget4j;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Something queued on an endpoint that completes later: a classic asynchronous read or write
 * ({@link IoRequest}) or a DMABUF transfer ({@link Transfer}). Code that keeps several of either
 * in flight (such as {@link dev.gadget4j.stream.EndpointStream}) waits on them through this one
 * type, whatever the I/O path.
 */
public interface Completion {

    /** Whether it has completed (successfully, with an error, or cancelled). */
    boolean isDone();

    /**
     * Waits for completion.
     *
     * @return bytes transferred; for a DMABUF transfer its requested length, since the kernel
     *         reports no count for those
     * @throws GadgetException ETIMEDOUT if not complete within {@code timeout} (it stays queued);
     *                         otherwise its error: ESHUTDOWN when the endpoint was disabled,
     *                         ENODEV when the function was unbound, ECONNRESET when cancelled
     *                         (see {@link GadgetException#meansWaitForEnable()})
     */
    long awaitBytes(Duration timeout);

    /**
     * Cancels it if it is still pending and the path allows one by one: a classic asynchronous
     * request completes with ECONNRESET. A DMABUF transfer is cancelled only by
     * {@link Endpoint#detach} or closing its endpoint: this returns false for it.
     *
     * @return whether it was still pending and is now cancelled
     */
    default boolean cancel() {
        return false;
    }

    /**
     * A {@link CompletionStage} view: completes with the byte count, or exceptionally with the
     * {@link GadgetException}. The wait runs on {@code executor}; an already completed request
     * gives a completed stage without using it.
     */
    default CompletionStage<Long> toStage(Executor executor) {
        CompletableFuture<Long> f = new CompletableFuture<>();
        Runnable wait = () -> {
            try {
                while (true) {
                    try {
                        f.complete(awaitBytes(Duration.ofSeconds(1)));
                        return;
                    } catch (GadgetException e) {
                        if (e.errno() != Errno.ETIMEDOUT) {
                            throw e;
                        }
                    }
                }
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        };
        if (isDone()) {
            wait.run();
        } else {
            executor.execute(wait);
        }
        return f;
    }

    /** {@link #toStage(Executor)} waiting on a new daemon platform thread (a wait may be a blocking downcall). */
    default CompletionStage<Long> toStage() {
        return toStage(r -> Thread.ofPlatform().daemon().name("completion-wait").start(r));
    }
}
