/**
 * The simulated backend: FunctionFS, DMABUF and a USB host in one JVM, with the kernel's
 * semantics, for development and CI without gadget hardware.
 */
package dev.gadget4j.sim;
