/**
 * USB descriptors and the FunctionFS blobs written to ep0, built and parsed in pure Java, byte
 * for byte as f_fs.c reads them: {@link dev.gadget4j.descriptor.Descriptors} and
 * {@link dev.gadget4j.descriptor.Strings} for the gadget side, with the endpoint files they yield
 * ({@link dev.gadget4j.descriptor.EndpointInfo}); device, configuration and string descriptors
 * and {@link dev.gadget4j.descriptor.SetupPacket} for the host side.
 */
package dev.gadget4j.descriptor;
