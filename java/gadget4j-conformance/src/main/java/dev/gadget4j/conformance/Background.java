package dev.gadget4j.conformance;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A call running on its own thread, for cases where one side blocks until the other acts. */
public final class Background<T> {
    private final CompletableFuture<T> future = new CompletableFuture<>();
    private final Thread thread;

    private Background(Callable<T> call) {
        thread = Thread.ofPlatform().daemon().name("conformance-background").start(() -> {
            try {
                future.complete(call.call());
            } catch (Throwable t) {
                future.completeExceptionally(t);
            }
        });
    }

    public static <T> Background<T> start(Callable<T> call) {
        return new Background<>(call);
    }

    /** The result, or the call's exception rethrown as is. */
    public T get(Duration timeout) throws Exception {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw e;
        }
    }

    /** Whether the call is still running after {@code wait}: it blocks, as the case expects. */
    public boolean stillBlockedAfter(Duration wait) throws Exception {
        try {
            get(wait);
            return false;
        } catch (TimeoutException e) {
            return true;
        }
    }

    public boolean isDone() {
        return future.isDone();
    }

    public Thread thread() {
        return thread;
    }
}
