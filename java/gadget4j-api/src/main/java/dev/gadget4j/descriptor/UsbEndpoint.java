package dev.gadget4j.descriptor;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An endpoint of a configuration as the host reads it: its descriptor, the SuperSpeed companion
 * that follows it (at SuperSpeed), and any class-specific descriptors after those.
 *
 * @param descriptor       the endpoint descriptor
 * @param companion        the SuperSpeed endpoint companion, if the set has one after it
 * @param classDescriptors other descriptors up to the next endpoint or interface, in order
 */
public record UsbEndpoint(UsbDescriptor.Endpoint descriptor, Optional<UsbDescriptor.SsCompanion> companion,
                          List<UsbDescriptor> classDescriptors) {

    /** Copies the list. */
    public UsbEndpoint {
        Objects.requireNonNull(descriptor, "descriptor");
        Objects.requireNonNull(companion, "companion");
        classDescriptors = List.copyOf(classDescriptors);
    }

    /** bEndpointAddress: what host-side bulk and URB calls take. */
    public int address() {
        return descriptor.address();
    }

    /** Bit 7 of the address. */
    public Direction direction() {
        return descriptor.direction();
    }

    /** The transfer type. */
    public TransferType type() {
        return descriptor.transferType();
    }

    /** The packet size, bits 0-10 of wMaxPacketSize. */
    public int maxPacketSize() {
        return descriptor.packetSize();
    }

    /** Packets per burst at SuperSpeed (bMaxBurst + 1), 1 without a companion. */
    public int maxBurst() {
        return companion.map(c -> c.maxBurst() + 1).orElse(1);
    }
}
