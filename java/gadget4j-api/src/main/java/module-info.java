/** gadget4j: the public API, USB descriptors and the backend SPI. */
module dev.gadget4j {
    exports dev.gadget4j;
    exports dev.gadget4j.descriptor;
    exports dev.gadget4j.spi;
    exports dev.gadget4j.stream;

    uses dev.gadget4j.spi.BackendProvider;
}
