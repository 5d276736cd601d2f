/**
 * The backend service provider interface: how {@link dev.gadget4j.Backends} finds the Linux and
 * simulated backends (and any a user adds).
 */
package dev.gadget4j.spi;
