package dev.gadget4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The lock word: one holder at a time, a waiting thread gets it once it is given back, no update lost. */
class LockWordTest {
    private final LockWord lock = new LockWord();
    private long counter;

    @Test
    void tryLock_failsWhileHeld_andSucceedsOnceGivenBack() {
        assertTrue(lock.tryLock());
        assertFalse(lock.tryLock(), "not reentrant: a second take fails");
        lock.unlock();
        assertTrue(lock.tryLock());
        lock.unlock();
    }

    @Test
    void lock_waitsForTheHolder_pastItsSpinsAndYields() throws InterruptedException {
        lock.lock();
        AtomicBoolean got = new AtomicBoolean();
        CountDownLatch trying = new CountDownLatch(1);
        Thread waiter = Thread.ofPlatform().start(() -> {
            trying.countDown();
            lock.lock();
            got.set(true);
            lock.unlock();
        });
        trying.await();
        Thread.sleep(100); // long enough for the waiter to spin, yield and park
        assertFalse(got.get(), "it took a held lock");
        lock.unlock();
        waiter.join(10_000);
        assertTrue(got.get(), "it never got the lock back");
    }

    @Test
    void threadsIncrementingUnderTheLock_loseNoUpdate() throws InterruptedException {
        int threads = 4;
        int rounds = 200_000;
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < threads; w++) {
            workers.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < rounds; i++) {
                    lock.lock();
                    try {
                        counter++;
                    } finally {
                        lock.unlock();
                    }
                }
            }));
        }
        for (Thread t : workers) {
            t.join();
        }
        assertEquals((long) threads * rounds, counter);
    }
}
