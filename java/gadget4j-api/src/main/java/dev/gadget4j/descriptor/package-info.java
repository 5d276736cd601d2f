/**
 * USB descriptors and the FunctionFS blobs written to ep0, built and parsed in pure Java, byte
 * for byte as f_fs.c reads them.
 */
package dev.gadget4j.descriptor;
