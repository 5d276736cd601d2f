/**
 * What both backends check and say the same way: argument checks, the errno each misuse gets
 * and its explanation. Exported only to the backend modules, so that "the same errno and message
 * on both backends" holds by construction; each backend keeps only what differs by nature.
 */
package dev.gadget4j.internal;
