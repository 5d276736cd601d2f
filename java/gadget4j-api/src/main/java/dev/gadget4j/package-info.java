/**
 * gadget4j: USB gadgets from Java through FunctionFS and its DMABUF interface.
 *
 * <p>Start at {@link dev.gadget4j.Backends#open()}.
 */
package dev.gadget4j;
