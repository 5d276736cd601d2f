package dev.gadget4j.linux;

import dev.gadget4j.DmaBufAllocator;
import dev.gadget4j.DmaBufSource;
import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import dev.gadget4j.internal.PrivateDmaBufs;
import dev.gadget4j.linux.sys.Fd;
import dev.gadget4j.linux.sys.FenceNames;
import dev.gadget4j.linux.sys.Mapping;
import dev.gadget4j.linux.sys.PageSize;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The backend's DMABUFs, whatever their source: it checks sizes by udmabuf's rules (a non-zero
 * multiple of the page size, at most the source's limit; EINVAL otherwise, as udmabuf answers),
 * has the source create the buffer, maps it shared and read-write, and registers it with the
 * backend. Its own {@link #allocate} uses the configured default source
 * ({@link DmaBufSource#configured()}); {@link #source} gives an allocator for another one. Every
 * buffer names this allocator as its owner, which is how endpoints recognise the backend's
 * buffers, and shares its {@link FenceGuard}.
 */
final class LinuxDmaBufAllocator implements DmaBufAllocator, PrivateDmaBufs {
    /** CMA heaps are named after their CMA area, which differs by board; these names are not CMA. */
    private static final List<String> NOT_CMA = List.of("system", "system-uncached");

    private final LinuxBackend backend;
    private final SystemFiles files;
    private final DmaBufSource defaultSource = DmaBufSource.configured();

    LinuxDmaBufAllocator(LinuxBackend backend, SystemFiles files) {
        this.backend = backend;
        this.files = files;
    }

    LinuxBackend backend() {
        return backend;
    }

    @Override
    public LinuxDmaBuf allocate(long size) {
        return allocate(memory(defaultSource), size, false);
    }

    @Override
    public LinuxDmaBuf allocatePrivate(long size) {
        return allocate(memory(defaultSource), size, true);
    }

    @Override
    public long maxSize() {
        return memory(defaultSource).maxSize();
    }

    @Override
    public long pageSize() {
        return PageSize.get();
    }

    /**
     * An allocator for {@code source}.
     *
     * @throws GadgetException ENOENT when the system has no such source, naming the heaps it has
     */
    DmaBufAllocator source(DmaBufSource source) {
        DmaBufMemory memory = memory(source);
        if (memory instanceof DmaHeapMemory heap && !heap.present()) {
            throw missing(source, memory.device());
        }
        return new Sourced(this, memory);
    }

    /** An allocator of one source, owned by the backend's allocator. */
    private record Sourced(LinuxDmaBufAllocator owner, DmaBufMemory memory) implements DmaBufAllocator, PrivateDmaBufs {
        @Override
        public LinuxDmaBuf allocate(long size) {
            return owner.allocate(memory, size, false);
        }

        @Override
        public LinuxDmaBuf allocatePrivate(long size) {
            return owner.allocate(memory, size, true);
        }

        @Override
        public long maxSize() {
            return memory.maxSize();
        }

        @Override
        public long pageSize() {
            return owner.pageSize();
        }

        @Override
        public String toString() {
            return "DMABUFs from " + memory;
        }
    }

    private DmaBufMemory memory(DmaBufSource source) {
        return switch (source.kind()) {
            case UDMABUF -> new UdmabufMemory(files);
            case HEAP -> new DmaHeapMemory(source, files.dmaHeaps().resolve(source.heap()));
            case CMA -> new DmaHeapMemory(source, cmaHeap(source));
        };
    }

    private Path cmaHeap(DmaBufSource source) {
        return heaps().stream().filter(h -> !NOT_CMA.contains(h)).findFirst()
                .map(h -> files.dmaHeaps().resolve(h))
                .orElseThrow(() -> missing(source, files.dmaHeaps().toString()));
    }

    private List<String> heaps() {
        try (Stream<Path> s = Files.list(files.dmaHeaps())) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private GadgetException missing(DmaBufSource source, String device) {
        String need = switch (source.kind()) {
            case CMA -> "the kernel needs CONFIG_DMABUF_HEAPS_CMA and a CMA area (cma= on its command line or a"
                    + " reserved-memory node)";
            case HEAP -> source.equals(DmaBufSource.SYSTEM_HEAP) ? "the kernel needs CONFIG_DMABUF_HEAPS_SYSTEM"
                    : "no heap of that name";
            case UDMABUF -> "the kernel needs CONFIG_UDMABUF";
        };
        return new GadgetException("open", device, Errno.ENOENT, "no " + source + " DMA heap: "
                + files.dmaHeaps() + " has " + heaps() + "; " + need);
    }

    /** A buffer of {@code memory}; {@code single}: attached to one endpoint at a time ({@link PrivateDmaBufs}). */
    LinuxDmaBuf allocate(DmaBufMemory memory, long size, boolean single) {
        backend.checkOpen(memory.operation());
        checkSize(memory, size);
        Fd dmabuf;
        try {
            dmabuf = memory.create(size);
        } catch (GadgetException e) {
            if (e.errno() == Errno.ENOENT && memory instanceof DmaHeapMemory heap) {
                throw missing(heap.source(), heap.device());
            }
            throw e;
        }
        Mapping mapping;
        try {
            if (!FenceNames.stubKnown()) {
                FenceNames.learnStub(dmabuf.number()); // no device has used it yet: its export is the stub
            }
            mapping = Mapping.map(dmabuf, size);
        } catch (RuntimeException e) {
            dmabuf.close();
            throw e;
        }
        return backend.register(new LinuxDmaBuf(this, memory, dmabuf, mapping, size, single));
    }

    private void checkSize(DmaBufMemory memory, long size) {
        String why = null;
        if (size < 0) {
            why = "size " + size + " is negative";
        } else if (size == 0) {
            why = "size 0: a DMABUF needs at least one page";
        } else if (size % pageSize() != 0) {
            why = "size " + size + " is not a multiple of the page size " + pageSize();
        } else if (size > memory.maxSize()) {
            why = "size " + size + " exceeds the limit of " + memory + " (" + (memory.maxSize() >> 20) + " MiB"
                    + (memory instanceof UdmabufMemory ? ", udmabuf's size_limit_mb)" : ", udmabuf's default)");
        }
        if (why != null) {
            throw new GadgetException(memory.operation(), memory.device(), Errno.EINVAL, why);
        }
    }
}
