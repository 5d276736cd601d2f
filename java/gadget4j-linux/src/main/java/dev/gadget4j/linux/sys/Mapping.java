package dev.gadget4j.linux.sys;

import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

/**
 * A shared mapping of a file (a DMABUF or memfd) as a {@link MemorySegment}.
 *
 * <p>The segment belongs to an arena owned by this object and closing the arena is what unmaps:
 * the JVM then refuses every access through the segment (and through slices of it) instead of
 * letting it fault or read pages that a later mmap put at the same address. The munmap therefore
 * runs exactly once, when {@link #close()} first succeeds.
 */
public final class Mapping implements AutoCloseable {
    private final Arena arena;
    private final MemorySegment segment;
    private final String name;

    private Mapping(Arena arena, MemorySegment segment, String name) {
        this.arena = arena;
        this.segment = segment;
        this.name = name;
    }

    /** Maps {@code length} bytes of {@code fd} read-write and shared, usable from any thread. */
    public static Mapping map(Fd fd, long length) {
        return map(fd, length, 0, Constants.PROT_READ | Constants.PROT_WRITE, true);
    }

    /**
     * Maps {@code length} bytes of {@code fd} at {@code offset} with {@code MAP_SHARED}.
     *
     * @param shared whether the segment may be used (and the mapping closed) from any thread; a
     *               confined mapping belongs to the calling thread, which alone may close it, and
     *               in exchange closing it needs no handshake with other threads
     */
    @SuppressWarnings("restricted") // sizing the raw mmap result is what ties it to the arena
    public static Mapping map(Fd fd, long length, long offset, int prot, boolean shared) {
        if (length <= 0) {
            throw new IllegalArgumentException("mapping length must be positive: " + length);
        }
        String name = "mapping of " + fd.name();
        Arena arena = shared ? Arena.ofShared() : Arena.ofConfined();
        MemorySegment raw;
        fd.acquire("mmap");
        try {
            raw = Libc.mmap(length, prot, Constants.MAP_SHARED, fd.number(), offset, fd.name());
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        } finally {
            fd.release();
        }
        long address = raw.address();
        MemorySegment segment = raw.reinterpret(length, arena, s -> unmap(address, length, name));
        return new Mapping(arena, segment, name);
    }

    private static void unmap(long address, long length, String name) {
        try {
            Libc.munmap(address, length, name);
        } catch (GadgetException e) {
            // munmap of a range we mapped only fails on a bug in this class; the arena is closed anyway.
            throw new IllegalStateException(e);
        }
    }

    /** The mapped memory; unusable ({@link IllegalStateException}) after {@link #close()}. */
    public MemorySegment segment() {
        return segment;
    }

    /**
     * Allocates small native structs (ioctl arguments of the mapped file) that live exactly as
     * long as the mapping: from its arena, freed by the same close that unmaps.
     */
    public SegmentAllocator structs() {
        return arena;
    }

    /** The mapped length in bytes. */
    public long length() {
        return segment.byteSize();
    }

    /** Whether the mapping is still in place. */
    public boolean isMapped() {
        return arena.scope().isAlive();
    }

    /**
     * Unmaps; later calls do nothing.
     *
     * <p>While another thread is in a native call that was given the segment (a {@code read()}
     * into it, say), the JVM refuses to close its arena, because the kernel may still be writing
     * through the address. The mapping then stays whole and usable and this call fails with
     * EBUSY; closing again after that call has returned unmaps.
     *
     * @throws GadgetException      EBUSY if another thread is using the segment in a native call right now
     * @throws WrongThreadException if the mapping is confined to another thread
     */
    @Override
    public synchronized void close() {
        if (!arena.scope().isAlive()) {
            return;
        }
        try {
            arena.close();
        } catch (IllegalStateException e) {
            throw new GadgetException("munmap", name, Errno.EBUSY,
                    "the segment is in use by a native call on another thread; close again once it returns", e);
        }
    }

    @Override
    public String toString() {
        return name + (isMapped() ? " at 0x" + Long.toHexString(segment.address()) + ", " + length() + " bytes" : " (unmapped)");
    }
}
