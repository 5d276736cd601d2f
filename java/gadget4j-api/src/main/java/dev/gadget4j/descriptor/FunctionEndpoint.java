package dev.gadget4j.descriptor;

import dev.gadget4j.Speed;
import java.util.List;
import java.util.Objects;

/**
 * A typed handle on one endpoint of a {@link UsbFunction}: what it is (direction, transfer type,
 * packet size, polling interval) and what the library derived for it (endpoint file number and
 * function-local address, in the order endpoints were added). Open it with
 * {@code functionFs.endpoint(handle)}.
 *
 * @param fileNumber       N of the endpoint file {@code epN}
 * @param address          the function-local bEndpointAddress: the file number with the direction bit
 * @param type             bulk or interrupt
 * @param maxPacketSize    for interrupt endpoints the largest packet (the full-speed set takes at most
 *                         64 of it); 0 for bulk, whose size follows the speed
 * @param intervalMillis   for interrupt endpoints the polling interval in milliseconds; 0 for bulk
 * @param classDescriptors class-specific descriptors written after the endpoint (and its companion)
 */
public record FunctionEndpoint(int fileNumber, int address, TransferType type, int maxPacketSize, int intervalMillis,
                               List<UsbDescriptor> classDescriptors) {

    /** Checks the type and ranges. */
    public FunctionEndpoint {
        Wire.range("endpoint file number", fileNumber, 1, 15);
        Objects.requireNonNull(type, "type");
        if (type != TransferType.BULK && type != TransferType.INTERRUPT) {
            throw new IllegalArgumentException(type + " endpoints are not derived; build them with Descriptors.builder()");
        }
        Wire.range("maxPacketSize", maxPacketSize, type == TransferType.BULK ? 0 : 1, type == TransferType.BULK ? 0 : 1024);
        Wire.range("intervalMillis", intervalMillis, type == TransferType.BULK ? 0 : 1, type == TransferType.BULK ? 0 : 255);
        classDescriptors = List.copyOf(classDescriptors);
    }

    /** Bit 7 of the address. */
    public Direction direction() {
        return Direction.of(address);
    }

    /** Whether data flows device to host. */
    public boolean in() {
        return direction() == Direction.IN;
    }

    /** wMaxPacketSize at {@code speed}: 64/512/1024 for bulk, the interrupt size (at most 64 at full speed). */
    public int packetSize(Speed speed) {
        if (type == TransferType.BULK) {
            return speed.bulkMaxPacketSize();
        }
        return speed == Speed.FULL ? Math.min(maxPacketSize, 64) : maxPacketSize;
    }

    /**
     * bInterval at {@code speed}: 0 for bulk; for interrupt endpoints milliseconds at full speed,
     * and above it the exponent of 2^(bInterval-1) microframes of 125 us nearest below the interval.
     */
    public int interval(Speed speed) {
        if (type == TransferType.BULK) {
            return 0;
        }
        if (speed == Speed.FULL) {
            return intervalMillis;
        }
        int microframes = intervalMillis * 8;
        return Math.min(16, 32 - Integer.numberOfLeadingZeros(microframes));
    }

    /** The endpoint descriptor at {@code speed}. */
    UsbDescriptor.Endpoint descriptor(Speed speed) {
        return UsbDescriptor.Endpoint.of(address, type, packetSize(speed), interval(speed));
    }

    /** The SuperSpeed companion: bursts for bulk, one packet per service interval for interrupt. */
    UsbDescriptor.SsCompanion companion(int maxBurst) {
        return type == TransferType.BULK ? UsbDescriptor.SsCompanion.bulk(maxBurst)
                : new UsbDescriptor.SsCompanion(0, 0, maxPacketSize);
    }
}
