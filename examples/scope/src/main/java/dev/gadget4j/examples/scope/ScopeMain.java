package dev.gadget4j.examples.scope;

import dev.gadget4j.Backend;
import dev.gadget4j.Backends;
import dev.gadget4j.HostDevice;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs the scope and plays the host against it in one process, on the backend named:
 * {@code --backend sim|linux} (default: the best available), {@code --frames N} (default 200).
 * Prints what it verified; exits with status 1 on any failure.
 */
public final class ScopeMain {
    /** Until the host sees the scope: creating and binding the gadget takes seconds on a slow board or in an emulator. */
    private static final Duration ENUMERATION = Duration.ofSeconds(60);

    private ScopeMain() {
    }

    public static void main(String[] args) {
        String backend = null;
        int frames = 200;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--backend" -> backend = args[i + 1];
                case "--frames" -> frames = Integer.parseInt(args[i + 1]);
                default -> usage(args[i]);
            }
        }
        if (args.length % 2 != 0) {
            usage(args[args.length - 1]);
        }
        try {
            System.out.println(run(backend, frames));
        } catch (Exception e) {
            System.err.println("scope: FAILED: " + e);
            System.exit(1);
        }
    }

    private static void usage(String arg) {
        System.err.println("scope: unknown argument " + arg + "; usage: run [--backend sim|linux] [--frames N]");
        System.exit(2);
    }

    /** The driver on a thread of its own, the host on this one; returns what was verified. */
    static String run(String backendName, int frames) throws Exception {
        try (Backend backend = backendName == null ? Backends.open() : Backends.open(backendName);
             Scope scope = new Scope()) {
            CompletableFuture<Void> driver = CompletableFuture.runAsync(() -> scope.run(backend),
                    r -> Thread.ofPlatform().name("scope").start(r));
            String report;
            try (HostDevice device = backend.host().open(Scope.VENDOR, Scope.PRODUCT, ENUMERATION)) {
                ScopeHost host = new ScopeHost(device);
                long first = host.acquire(100, frames);
                host.expectSilence();
                long second = host.acquire(1000, frames / 2);
                host.expectSilence();
                report = String.format("scope on backend '%s': verified 2 acquisitions (%d frames, sawtooth period 100;"
                        + " %d frames, period 1000) of %d samples each, frames in order, every sample, SET_PERIOD"
                        + " stalled while acquiring, the end frame after STOP, nothing sent while stopped",
                        backend.name(), first, second, Scope.SAMPLES);
            } finally {
                scope.close();
                try {
                    driver.get(ScopeHost.WAIT.toSeconds(), TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    throw new IllegalStateException("the driver failed: " + e.getCause(), e.getCause());
                }
            }
            return report;
        }
    }
}
