package dev.gadget4j.descriptor;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One alternate setting of an interface as the host reads it from a configuration descriptor
 * set: the interface descriptor, its endpoints and the class-specific descriptors between the
 * interface descriptor and its first endpoint.
 *
 * @param descriptor       the interface descriptor
 * @param classDescriptors descriptors after it and before its first endpoint (e.g. HID, CDC)
 * @param endpoints        its endpoints, in order
 */
public record UsbInterface(UsbDescriptor.Interface descriptor, List<UsbDescriptor> classDescriptors,
                           List<UsbEndpoint> endpoints) {

    /** Copies the lists. */
    public UsbInterface {
        Objects.requireNonNull(descriptor, "descriptor");
        classDescriptors = List.copyOf(classDescriptors);
        endpoints = List.copyOf(endpoints);
    }

    /** bInterfaceNumber as the host numbers it: what claimInterface and setInterface take. */
    public int number() {
        return descriptor.number();
    }

    /** bAlternateSetting. */
    public int alternateSetting() {
        return descriptor.alternateSetting();
    }

    /** bInterfaceClass. */
    public int interfaceClass() {
        return descriptor.interfaceClass();
    }

    /** The first endpoint in {@code direction} of {@code type}, e.g. the bulk IN one. */
    public Optional<UsbEndpoint> endpoint(Direction direction, TransferType type) {
        return endpoints.stream().filter(e -> e.direction() == direction && e.type() == type).findFirst();
    }

    /**
     * Groups a configuration's descriptors (after the 9-byte header) into interfaces: each
     * interface descriptor starts one, each endpoint descriptor adds an endpoint, a companion
     * belongs to the endpoint before it, anything else to the endpoint or interface before it.
     * Descriptors before the first interface (an IAD) belong to none.
     */
    static List<UsbInterface> group(List<UsbDescriptor> descriptors) {
        List<UsbInterface> out = new ArrayList<>();
        Builder current = null;
        for (UsbDescriptor d : descriptors) {
            if (d instanceof UsbDescriptor.Interface i) {
                if (current != null) {
                    out.add(current.build());
                }
                current = new Builder(i);
            } else if (current == null) {
                continue; // an IAD or a class descriptor ahead of the first interface
            } else if (d instanceof UsbDescriptor.Endpoint e) {
                current.endpoint(e);
            } else if (d instanceof UsbDescriptor.SsCompanion c && current.hasEndpoint()) {
                current.companion(c);
            } else {
                current.other(d);
            }
        }
        if (current != null) {
            out.add(current.build());
        }
        return List.copyOf(out);
    }

    private static final class Builder {
        private final UsbDescriptor.Interface descriptor;
        private final List<UsbDescriptor> classDescriptors = new ArrayList<>();
        private final List<UsbEndpoint> endpoints = new ArrayList<>();
        private UsbDescriptor.Endpoint endpoint;
        private UsbDescriptor.SsCompanion companion;
        private List<UsbDescriptor> endpointExtras = new ArrayList<>();

        Builder(UsbDescriptor.Interface descriptor) {
            this.descriptor = descriptor;
        }

        boolean hasEndpoint() {
            return endpoint != null && companion == null && endpointExtras.isEmpty();
        }

        void endpoint(UsbDescriptor.Endpoint e) {
            flushEndpoint();
            endpoint = e;
        }

        void companion(UsbDescriptor.SsCompanion c) {
            companion = c;
        }

        void other(UsbDescriptor d) {
            (endpoint == null ? classDescriptors : endpointExtras).add(d);
        }

        private void flushEndpoint() {
            if (endpoint != null) {
                endpoints.add(new UsbEndpoint(endpoint, Optional.ofNullable(companion), endpointExtras));
            }
            endpoint = null;
            companion = null;
            endpointExtras = new ArrayList<>();
        }

        UsbInterface build() {
            flushEndpoint();
            return new UsbInterface(descriptor, classDescriptors, endpoints);
        }
    }
}
