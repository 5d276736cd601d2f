/** gadget4j: the public API, USB descriptors and the backend SPI. */
module dev.gadget4j {
    requires jdk.jfr;

    exports dev.gadget4j;
    exports dev.gadget4j.descriptor;
    exports dev.gadget4j.spi;
    // the JFR events the backends emit; applications see them in recordings, by name
    exports dev.gadget4j.jfr to dev.gadget4j.sim, dev.gadget4j.linux;
    exports dev.gadget4j.internal to dev.gadget4j.sim, dev.gadget4j.linux;
    exports dev.gadget4j.stream;

    uses dev.gadget4j.spi.BackendProvider;
}
