package dev.gadget4j.descriptor;

import java.util.List;

/**
 * One interface of a function with its alternate settings, as the first speed's descriptor set
 * lays them out.
 *
 * @param number            the function-local bInterfaceNumber
 * @param alternateSettings in the order their descriptors appear
 */
public record InterfaceInfo(int number, List<AlternateSetting> alternateSettings) {

    /** Copies the list. */
    public InterfaceInfo {
        alternateSettings = List.copyOf(alternateSettings);
    }

    /**
     * One alternate setting: its interface descriptor and the endpoint files that follow it.
     *
     * @param descriptor the interface descriptor
     * @param endpoints  the endpoints listed after it, in file order
     */
    public record AlternateSetting(UsbDescriptor.Interface descriptor, List<EndpointInfo> endpoints) {
        /** Copies the list. */
        public AlternateSetting {
            endpoints = List.copyOf(endpoints);
        }
    }
}
