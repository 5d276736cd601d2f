/**
 * USB descriptors and the FunctionFS blobs written to ep0, built and parsed in pure Java, byte
 * for byte as f_fs.c reads them. {@link dev.gadget4j.descriptor.UsbFunction} describes a function
 * once and derives the blobs, with typed handles on its interfaces and endpoints; underneath,
 * {@link dev.gadget4j.descriptor.Descriptors} and
 * {@link dev.gadget4j.descriptor.Strings} for the gadget side, with the endpoint files they yield
 * ({@link dev.gadget4j.descriptor.EndpointInfo}); device, configuration and string descriptors
 * and {@link dev.gadget4j.descriptor.SetupPacket} for the host side, where
 * {@link dev.gadget4j.descriptor.ConfigurationDescriptor#interfaceSettings()} gives the typed
 * interfaces and endpoints.
 */
package dev.gadget4j.descriptor;
