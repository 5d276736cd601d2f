package dev.gadget4j.descriptor;

/**
 * Behaviour flags of a FunctionFS function (the header flags that are not HAS_* or EVENTFD, which
 * follow from the blob itself). Pass them as an {@code EnumSet}.
 */
public enum FunctionFlag {
    /** FUNCTIONFS_VIRTUAL_ADDR: endpoint files named by address ({@code ep81}), addresses kept for the host. */
    VIRTUAL_ADDR(Descriptors.VIRTUAL_ADDR),
    /** FUNCTIONFS_ALL_CTRL_RECIP: setup requests for any recipient reach the function. */
    ALL_CTRL_RECIP(Descriptors.ALL_CTRL_RECIP),
    /** FUNCTIONFS_CONFIG0_SETUP: setup requests reach the function while unconfigured. */
    CONFIG0_SETUP(Descriptors.CONFIG0_SETUP);

    private final int bit;

    FunctionFlag(int bit) {
        this.bit = bit;
    }

    /** The header bit. */
    public int bit() {
        return bit;
    }
}
