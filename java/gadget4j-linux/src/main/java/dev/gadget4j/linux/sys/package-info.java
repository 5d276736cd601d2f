/**
 * The native layer of the Linux backend: downcalls into libc, ioctl numbers, uapi struct layouts and
 * small owners of file descriptors, mappings and AIO contexts.
 *
 * <p>Not exported. Every layout and ioctl number here is compared with the kernel's 6.12 uapi
 * headers by a C program ({@code native-shim/layout/layout-check.c}) in the module's tests, so a
 * mistake shows up as a failing line rather than as memory corruption on a board.
 *
 * <p>Failures are {@link dev.gadget4j.GadgetException}s naming the call, the object and the errno.
 * Segments passed to calls here must be native (not heap) segments: the downcalls are not critical,
 * because most of them may block for a long time.
 */
package dev.gadget4j.linux.sys;
