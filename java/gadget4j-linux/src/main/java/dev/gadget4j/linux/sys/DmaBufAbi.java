package dev.gadget4j.linux.sys;

import static dev.gadget4j.linux.sys.CLayouts.U32;
import static dev.gadget4j.linux.sys.CLayouts.U64;
import static dev.gadget4j.linux.sys.CLayouts.chars;
import static dev.gadget4j.linux.sys.CLayouts.field;
import static dev.gadget4j.linux.sys.CLayouts.m;
import static dev.gadget4j.linux.sys.CLayouts.struct;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * Structs of {@code linux/udmabuf.h}, {@code linux/dma-heap.h}, {@code linux/dma-buf.h} and
 * {@code linux/sync_file.h}.
 */
public final class DmaBufAbi {
    private DmaBufAbi() {
    }

    /** {@code struct udmabuf_create}: UDMABUF_CREATE's argument. */
    public static final class UdmabufCreate {
        public static final StructLayout LAYOUT = struct("udmabuf_create",
                m("memfd", U32), m("flags", U32), m("offset", U64), m("size", U64));
        public static final VarHandle MEMFD = field(LAYOUT, "memfd");
        public static final VarHandle FLAGS = field(LAYOUT, "flags");
        public static final VarHandle OFFSET = field(LAYOUT, "offset");
        public static final VarHandle SIZE = field(LAYOUT, "size");

        private UdmabufCreate() {
        }
    }

    /** {@code struct udmabuf_create_item}: one entry of UDMABUF_CREATE_LIST. */
    public static final class UdmabufCreateItem {
        public static final StructLayout LAYOUT = struct("udmabuf_create_item",
                m("memfd", U32), m("__pad", U32), m("offset", U64), m("size", U64));
        public static final VarHandle MEMFD = field(LAYOUT, "memfd");
        public static final VarHandle OFFSET = field(LAYOUT, "offset");
        public static final VarHandle SIZE = field(LAYOUT, "size");

        private UdmabufCreateItem() {
        }
    }

    /** {@code struct udmabuf_create_list}: header; {@code list[]} follows at {@link #LIST_OFFSET}. */
    public static final class UdmabufCreateList {
        public static final StructLayout LAYOUT = struct("udmabuf_create_list",
                m("flags", U32), m("count", U32), MemoryLayout.sequenceLayout(0, UdmabufCreateItem.LAYOUT).withName("list"));
        public static final VarHandle FLAGS = field(LAYOUT, "flags");
        public static final VarHandle COUNT = field(LAYOUT, "count");
        public static final long LIST_OFFSET = CLayouts.offset(LAYOUT, "list");

        private UdmabufCreateList() {
        }
    }

    /** {@code struct dma_heap_allocation_data}: DMA_HEAP_IOCTL_ALLOC's argument; the kernel fills in {@code fd}. */
    public static final class HeapAllocationData {
        public static final StructLayout LAYOUT = struct("dma_heap_allocation_data",
                m("len", U64), m("fd", U32), m("fd_flags", U32), m("heap_flags", U64));
        private static final VarHandle LEN = field(LAYOUT, "len");
        private static final VarHandle FD = field(LAYOUT, "fd");
        private static final VarHandle FD_FLAGS = field(LAYOUT, "fd_flags");
        private static final VarHandle HEAP_FLAGS = field(LAYOUT, "heap_flags");

        private HeapAllocationData() {
        }

        public static void len(MemorySegment s, long len) {
            LEN.set(s, len);
        }

        public static void fdFlags(MemorySegment s, int flags) {
            FD_FLAGS.set(s, flags);
        }

        public static void heapFlags(MemorySegment s, long flags) {
            HEAP_FLAGS.set(s, flags);
        }

        public static int fd(MemorySegment s) {
            return (int) FD.get(s);
        }
    }

    /** {@code struct dma_buf_sync}: DMA_BUF_IOCTL_SYNC's argument. */
    public static final class Sync {
        public static final StructLayout LAYOUT = struct("dma_buf_sync", m("flags", U64));
        public static final VarHandle FLAGS = field(LAYOUT, "flags");

        private Sync() {
        }

        public static void flags(MemorySegment s, long flags) {
            FLAGS.set(s, flags);
        }
    }

    /** {@code struct dma_buf_export_sync_file}. */
    public static final class ExportSyncFile {
        public static final StructLayout LAYOUT = struct("dma_buf_export_sync_file", m("flags", U32), m("fd", U32));
        public static final VarHandle FLAGS = field(LAYOUT, "flags");
        public static final VarHandle FD = field(LAYOUT, "fd");

        private ExportSyncFile() {
        }
    }

    /** {@code struct dma_buf_import_sync_file}. */
    public static final class ImportSyncFile {
        public static final StructLayout LAYOUT = struct("dma_buf_import_sync_file", m("flags", U32), m("fd", U32));
        public static final VarHandle FLAGS = field(LAYOUT, "flags");
        public static final VarHandle FD = field(LAYOUT, "fd");

        private ImportSyncFile() {
        }
    }

    /** {@code struct sync_fence_info}: one fence of a sync_file. */
    public static final class SyncFenceInfo {
        public static final StructLayout LAYOUT = struct("sync_fence_info",
                chars("obj_name", 32), chars("driver_name", 32), m("status", U32), m("flags", U32),
                m("timestamp_ns", U64));
        public static final long OBJ_NAME_OFFSET = CLayouts.offset(LAYOUT, "obj_name");
        public static final long DRIVER_NAME_OFFSET = CLayouts.offset(LAYOUT, "driver_name");
        public static final VarHandle STATUS = field(LAYOUT, "status");
        public static final VarHandle FLAGS = field(LAYOUT, "flags");
        public static final VarHandle TIMESTAMP_NS = field(LAYOUT, "timestamp_ns");

        private SyncFenceInfo() {
        }
    }

    /** {@code struct sync_file_info}: SYNC_IOC_FILE_INFO's argument. */
    public static final class SyncFileInfo {
        public static final StructLayout LAYOUT = struct("sync_file_info",
                chars("name", 32), m("status", U32), m("flags", U32), m("num_fences", U32), m("pad", U32),
                m("sync_fence_info", U64));
        public static final long NAME_OFFSET = CLayouts.offset(LAYOUT, "name");
        public static final VarHandle STATUS = field(LAYOUT, "status");
        public static final VarHandle NUM_FENCES = field(LAYOUT, "num_fences");
        /** A user pointer carried as {@code __u64}: the address of a {@code sync_fence_info} array. */
        public static final VarHandle SYNC_FENCE_INFO = field(LAYOUT, "sync_fence_info");

        private SyncFileInfo() {
        }
    }
}
