/** The gadget4j command line. */
module dev.gadget4j.cli {
    requires dev.gadget4j;
    requires dev.gadget4j.linux;
    requires info.picocli;

    opens dev.gadget4j.cli to info.picocli;
}
