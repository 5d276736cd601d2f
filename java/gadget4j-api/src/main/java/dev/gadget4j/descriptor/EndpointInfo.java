package dev.gadget4j.descriptor;

import dev.gadget4j.Speed;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * One FunctionFS endpoint file and the descriptors behind it.
 *
 * <p>f_fs.c numbers endpoint files by position: while parsing the first speed present it stores
 * the N-th endpoint descriptor's address in {@code eps_addrmap[N]} ({@code __ffs_data_do_entity}),
 * every later speed must list the same addresses in the same order, and
 * {@code ffs_epfiles_create} makes {@code ep1}..{@code epN} from that map (or {@code ep81},
 * {@code ep02}... named by address with {@code FUNCTIONFS_VIRTUAL_ADDR}). At bind time
 * {@code ffs_ep_addr2idx} finds each speed's descriptor by address, so file N is the N-th endpoint
 * descriptor of every speed.
 *
 * @param fileNumber       N of {@code epN}, 1 first
 * @param fileName         the file's name under the FunctionFS mount
 * @param address          the function-local bEndpointAddress
 * @param type             the transfer type (of the first speed's descriptor)
 * @param interfaceNumber  bInterfaceNumber of the interface descriptor the endpoint follows
 * @param alternateSetting bAlternateSetting of that interface descriptor
 * @param descriptors      the endpoint's descriptor in each speed's set
 * @param companions       its SuperSpeed companion, where the SuperSpeed set has one after it
 */
public record EndpointInfo(int fileNumber, String fileName, int address, TransferType type, int interfaceNumber,
                           int alternateSetting, Map<Speed, UsbDescriptor.Endpoint> descriptors,
                           Map<Speed, UsbDescriptor.SsCompanion> companions) {

    /** Copies the maps. */
    public EndpointInfo {
        descriptors = Map.copyOf(descriptors);
        companions = Map.copyOf(companions);
    }

    /** Whether data flows device to host (the file is read). */
    public boolean in() {
        return Direction.of(address) == Direction.IN;
    }

    /**
     * The descriptor the endpoint runs with at {@code speed}: that speed's, or else the next slower
     * one's, as {@code config_ep_by_speed} falls back; empty when no set at or below the speed
     * exists, in which case the function is not part of the configuration at that speed.
     */
    public Optional<UsbDescriptor.Endpoint> descriptor(Speed speed) {
        for (int s = speed.ordinal(); s >= 0; s--) {
            UsbDescriptor.Endpoint d = descriptors.get(Speed.values()[s]);
            if (d != null) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }

    /**
     * The packet size (wMaxPacketSize bits 0-10) at {@code speed}, with {@link #descriptor}'s
     * fallback; 0 where the descriptor leaves it to the UDC.
     *
     * @throws IllegalArgumentException when the function has no descriptors at or below {@code speed}
     */
    public int maxPacketSize(Speed speed) {
        return descriptor(speed).orElseThrow(() -> new IllegalArgumentException("endpoint file " + fileName
                + " has no descriptor at " + speed + " speed or slower")).packetSize();
    }

    /** The SuperSpeed companion used at {@code speed} (only ever at {@link Speed#SUPER}). */
    public Optional<UsbDescriptor.SsCompanion> companion(Speed speed) {
        return speed == Speed.SUPER ? Optional.ofNullable(companions.get(Speed.SUPER)) : Optional.empty();
    }

    static EndpointInfo of(int fileNumber, boolean virtualAddresses, int interfaceNumber, int alternateSetting,
                           EnumMap<Speed, UsbDescriptor.Endpoint> perSpeed,
                           EnumMap<Speed, UsbDescriptor.SsCompanion> companions) {
        UsbDescriptor.Endpoint first = perSpeed.values().iterator().next();
        String name = virtualAddresses ? String.format("ep%02x", first.address()) : "ep" + fileNumber;
        return new EndpointInfo(fileNumber, name, first.address(), first.transferType(), interfaceNumber,
                alternateSetting, perSpeed, companions);
    }
}
