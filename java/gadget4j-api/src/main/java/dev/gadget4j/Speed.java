package dev.gadget4j;

/** USB bus speeds a gadget can run at, slowest first. */
public enum Speed {
    /** Full speed, 12 Mbit/s: bulk packets of at most 64 bytes. */
    FULL(64),
    /** High speed, 480 Mbit/s: bulk packets of 512 bytes. */
    HIGH(512),
    /** SuperSpeed, 5 Gbit/s: bulk packets of 1024 bytes. */
    SUPER(1024);

    private final int bulkMaxPacketSize;

    Speed(int bulkMaxPacketSize) {
        this.bulkMaxPacketSize = bulkMaxPacketSize;
    }

    /** wMaxPacketSize of a bulk endpoint at this speed. */
    public int bulkMaxPacketSize() {
        return bulkMaxPacketSize;
    }
}
