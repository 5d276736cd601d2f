/** gadget4j's simulated backend. */
module dev.gadget4j.sim {
    requires transitive dev.gadget4j;

    exports dev.gadget4j.sim;

    provides dev.gadget4j.spi.BackendProvider with dev.gadget4j.sim.SimBackendProvider;
}
