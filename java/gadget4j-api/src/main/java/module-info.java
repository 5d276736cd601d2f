/** gadget4j: the public API, USB descriptors and the backend SPI. */
module dev.gadget4j {
    exports dev.gadget4j;
    exports dev.gadget4j.descriptor;
    exports dev.gadget4j.spi;

    uses dev.gadget4j.spi.BackendProvider;
}
