package dev.gadget4j.linux.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code /dev/udmabuf} device: turns ranges of sealed memfds into DMABUF file descriptors.
 * Offsets and sizes must be page-aligned; the kernel limits one DMABUF to {@code size_limit_mb}
 * (64 MiB by default) and a list to 1024 items.
 */
public final class Udmabuf implements AutoCloseable {
    /** Where the misc device lives. */
    public static final String DEVICE = "/dev/udmabuf";

    private final Fd device;

    private Udmabuf(Fd device) {
        this.device = device;
    }

    /** Whether the device node exists (the module may still refuse access: see {@link #open()}). */
    public static boolean present() {
        return Files.exists(Path.of(DEVICE));
    }

    /** Opens {@link #DEVICE} read-write. */
    public static Udmabuf open() {
        return new Udmabuf(Fd.open(DEVICE, Constants.O_RDWR));
    }

    /** One range of {@link #createList}. */
    public record Item(Fd memfd, long offset, long size) {
    }

    /** UDMABUF_CREATE with UDMABUF_FLAGS_CLOEXEC: a DMABUF over {@code size} bytes of {@code memfd} at {@code offset}. */
    public Fd create(Fd memfd, long offset, long size) {
        memfd.acquire("UDMABUF_CREATE");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment req = arena.allocate(DmaBufAbi.UdmabufCreate.LAYOUT);
            DmaBufAbi.UdmabufCreate.MEMFD.set(req, memfd.number());
            DmaBufAbi.UdmabufCreate.FLAGS.set(req, Constants.UDMABUF_FLAGS_CLOEXEC);
            DmaBufAbi.UdmabufCreate.OFFSET.set(req, offset);
            DmaBufAbi.UdmabufCreate.SIZE.set(req, size);
            int fd = device.ioctl(Ioctl.UDMABUF_CREATE, req);
            return Fd.adopt(fd, "dmabuf(" + memfd.name() + ")");
        } finally {
            memfd.release();
        }
    }

    /** UDMABUF_CREATE_LIST with UDMABUF_FLAGS_CLOEXEC: one DMABUF over several ranges, in order. */
    public Fd createList(List<Item> items) {
        if (items.isEmpty()) {
            throw new IllegalArgumentException("UDMABUF_CREATE_LIST needs at least one item");
        }
        int acquired = 0;
        try (Arena arena = Arena.ofConfined()) {
            long itemSize = DmaBufAbi.UdmabufCreateItem.LAYOUT.byteSize();
            MemorySegment req = arena.allocate(DmaBufAbi.UdmabufCreateList.LIST_OFFSET + itemSize * items.size(),
                    DmaBufAbi.UdmabufCreateList.LAYOUT.byteAlignment());
            DmaBufAbi.UdmabufCreateList.FLAGS.set(req, Constants.UDMABUF_FLAGS_CLOEXEC);
            DmaBufAbi.UdmabufCreateList.COUNT.set(req, items.size());
            for (Item item : items) {
                item.memfd().acquire("UDMABUF_CREATE_LIST");
                MemorySegment slot = req.asSlice(DmaBufAbi.UdmabufCreateList.LIST_OFFSET + itemSize * acquired++, itemSize);
                DmaBufAbi.UdmabufCreateItem.MEMFD.set(slot, item.memfd().number());
                DmaBufAbi.UdmabufCreateItem.OFFSET.set(slot, item.offset());
                DmaBufAbi.UdmabufCreateItem.SIZE.set(slot, item.size());
            }
            int fd = device.ioctl(Ioctl.UDMABUF_CREATE_LIST, req);
            return Fd.adopt(fd, "dmabuf(" + items.size() + " ranges of " + items.getFirst().memfd().name() + ")");
        } finally {
            for (int i = 0; i < acquired; i++) {
                items.get(i).memfd().release();
            }
        }
    }

    /** Closes the device; DMABUFs created from it stay valid. Idempotent. */
    @Override
    public void close() {
        device.close();
    }
}
