package dev.gadget4j.sim;

import dev.gadget4j.Backend;
import dev.gadget4j.spi.BackendProvider;

/** Provides the simulated backend: always available, ranked below any real one. */
public final class SimBackendProvider implements BackendProvider {

    @Override
    public String name() {
        return "sim";
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public Availability availability() {
        return Availability.yes("pure-Java simulated UDC and host, in this JVM");
    }

    @Override
    public Backend open() {
        return SimBackend.open();
    }
}
