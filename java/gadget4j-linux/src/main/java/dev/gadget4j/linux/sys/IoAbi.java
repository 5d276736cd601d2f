package dev.gadget4j.linux.sys;

import static dev.gadget4j.linux.sys.CLayouts.U16;
import static dev.gadget4j.linux.sys.CLayouts.U32;
import static dev.gadget4j.linux.sys.CLayouts.U64;
import static dev.gadget4j.linux.sys.CLayouts.field;
import static dev.gadget4j.linux.sys.CLayouts.m;
import static dev.gadget4j.linux.sys.CLayouts.offset;
import static dev.gadget4j.linux.sys.CLayouts.struct;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Structs for waiting on I/O: Linux native AIO ({@code linux/aio_abi.h}, {@code linux/time_types.h}) and poll. */
public final class IoAbi {
    private IoAbi() {
    }

    /**
     * {@code struct iocb} (64 bytes). The header swaps {@code aio_key} and {@code aio_rw_flags} by
     * byte order so that the pair reads the same as one 64-bit word: follow the CPU's order.
     */
    public static final class Iocb {
        private static final MemoryLayout KEY = m("aio_key", U32);
        private static final MemoryLayout RW_FLAGS = m("aio_rw_flags", U32);
        private static final boolean LITTLE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

        public static final StructLayout LAYOUT = struct("iocb",
                m("aio_data", U64),
                LITTLE ? KEY : RW_FLAGS,
                LITTLE ? RW_FLAGS : KEY,
                m("aio_lio_opcode", U16), m("aio_reqprio", U16), m("aio_fildes", U32),
                m("aio_buf", U64), m("aio_nbytes", U64), m("aio_offset", U64),
                m("aio_reserved2", U64), m("aio_flags", U32), m("aio_resfd", U32));
        public static final VarHandle AIO_DATA = field(LAYOUT, "aio_data");
        public static final VarHandle AIO_KEY = field(LAYOUT, "aio_key");
        public static final VarHandle AIO_RW_FLAGS = field(LAYOUT, "aio_rw_flags");
        public static final VarHandle AIO_LIO_OPCODE = field(LAYOUT, "aio_lio_opcode");
        public static final VarHandle AIO_REQPRIO = field(LAYOUT, "aio_reqprio");
        public static final VarHandle AIO_FILDES = field(LAYOUT, "aio_fildes");
        public static final VarHandle AIO_BUF = field(LAYOUT, "aio_buf");
        public static final VarHandle AIO_NBYTES = field(LAYOUT, "aio_nbytes");
        public static final VarHandle AIO_OFFSET = field(LAYOUT, "aio_offset");
        public static final VarHandle AIO_FLAGS = field(LAYOUT, "aio_flags");
        public static final VarHandle AIO_RESFD = field(LAYOUT, "aio_resfd");
        private static final long DATA_AT = offset(LAYOUT, "aio_data");
        private static final long OPCODE_AT = offset(LAYOUT, "aio_lio_opcode");
        private static final long FILDES_AT = offset(LAYOUT, "aio_fildes");
        private static final long BUF_AT = offset(LAYOUT, "aio_buf");
        private static final long NBYTES_AT = offset(LAYOUT, "aio_nbytes");
        private static final long OFFSET_AT = offset(LAYOUT, "aio_offset");
        private static final long FLAGS_AT = offset(LAYOUT, "aio_flags");
        private static final long RESFD_AT = offset(LAYOUT, "aio_resfd");
        /** aio_key and aio_rw_flags, one word. */
        private static final long KEY_PAIR_AT = Math.min(offset(LAYOUT, "aio_key"), offset(LAYOUT, "aio_rw_flags"));
        private static final long RESERVED2_AT = offset(LAYOUT, "aio_reserved2");

        static {
            // set() writes the struct as eight words, as Linux lays it out on every architecture
            if (LAYOUT.byteSize() != 64 || DATA_AT != 0 || OPCODE_AT != 16 || offset(LAYOUT, "aio_reqprio") != 18
                    || FILDES_AT != 20 || BUF_AT != 24 || NBYTES_AT != 32 || OFFSET_AT != 40 || KEY_PAIR_AT != 8
                    || RESERVED2_AT != 48 || FLAGS_AT != 56 || RESFD_AT != 60) {
                throw new ExceptionInInitializerError("struct iocb is not laid out as linux/aio_abi.h says");
            }
        }

        private Iocb() {
        }

        /**
         * Fills the whole of {@code iocb} for one read or write, every other field 0; {@code data}
         * comes back in the io_event. Eight word stores, each word written once (zeroing the
         * struct first and then writing six fields took fourteen, on every AIO request).
         */
        public static void set(MemorySegment iocb, long data, short opcode, int fd, long buf, long nbytes, long offset) {
            long opcodeAndFd = LITTLE
                    ? (opcode & 0xffffL) | (fd & 0xffff_ffffL) << 32 // opcode, reqprio 0, fildes
                    : (opcode & 0xffffL) << 48 | (fd & 0xffff_ffffL);
            iocb.set(JAVA_LONG, DATA_AT, data);
            iocb.set(JAVA_LONG, KEY_PAIR_AT, 0L);
            iocb.set(JAVA_LONG, OPCODE_AT, opcodeAndFd);
            iocb.set(JAVA_LONG, BUF_AT, buf);
            iocb.set(JAVA_LONG, NBYTES_AT, nbytes);
            iocb.set(JAVA_LONG, OFFSET_AT, offset);
            iocb.set(JAVA_LONG, RESERVED2_AT, 0L);
            iocb.set(JAVA_LONG, FLAGS_AT, 0L); // aio_flags and aio_resfd
        }

        public static long data(MemorySegment iocb) {
            return iocb.get(JAVA_LONG, DATA_AT);
        }

        public static int flags(MemorySegment iocb) {
            return iocb.get(JAVA_INT, FLAGS_AT);
        }

        public static void flags(MemorySegment iocb, int flags) {
            iocb.set(JAVA_INT, FLAGS_AT, flags);
        }

        public static void resfd(MemorySegment iocb, int fd) {
            iocb.set(JAVA_INT, RESFD_AT, fd);
        }
    }

    /** {@code struct io_event} (32 bytes): one completion from io_getevents. */
    public static final class IoEvent {
        public static final StructLayout LAYOUT = struct("io_event",
                m("data", U64), m("obj", U64), m("res", U64), m("res2", U64));
        public static final VarHandle DATA = field(LAYOUT, "data");
        public static final VarHandle OBJ = field(LAYOUT, "obj");
        public static final VarHandle RES = field(LAYOUT, "res");
        public static final VarHandle RES2 = field(LAYOUT, "res2");
        /** Bytes per entry of an io_event array. */
        public static final long SIZE = LAYOUT.byteSize();
        private static final long DATA_AT = offset(LAYOUT, "data");
        private static final long OBJ_AT = offset(LAYOUT, "obj");
        private static final long RES_AT = offset(LAYOUT, "res");

        private IoEvent() {
        }

        /** {@code data} of entry {@code i} of an io_event array: the iocb's {@code aio_data}. */
        public static long data(MemorySegment events, int i) {
            return events.get(JAVA_LONG, i * SIZE + DATA_AT);
        }

        /** {@code obj} of entry {@code i}: the iocb's user address. */
        public static long obj(MemorySegment events, int i) {
            return events.get(JAVA_LONG, i * SIZE + OBJ_AT);
        }

        /** {@code res} of entry {@code i}: bytes transferred, or {@code -errno}. */
        public static long res(MemorySegment events, int i) {
            return events.get(JAVA_LONG, i * SIZE + RES_AT);
        }
    }

    /** {@code struct __kernel_timespec}: io_getevents' timeout (64-bit seconds on every ABI). */
    public static final class Timespec {
        public static final StructLayout LAYOUT = struct("__kernel_timespec", m("tv_sec", U64), m("tv_nsec", U64));
        public static final VarHandle TV_SEC = field(LAYOUT, "tv_sec");
        public static final VarHandle TV_NSEC = field(LAYOUT, "tv_nsec");
        private static final long SEC_AT = offset(LAYOUT, "tv_sec");
        private static final long NSEC_AT = offset(LAYOUT, "tv_nsec");

        private Timespec() {
        }

        /** Sets {@code ts} to {@code nanos} (non-negative). */
        public static void set(MemorySegment ts, long nanos) {
            ts.set(JAVA_LONG, SEC_AT, nanos / 1_000_000_000L);
            ts.set(JAVA_LONG, NSEC_AT, nanos % 1_000_000_000L);
        }
    }

    /** {@code struct pollfd}. */
    public static final class PollFd {
        public static final StructLayout LAYOUT = struct("pollfd",
                m("fd", U32), m("events", U16), m("revents", U16));
        public static final VarHandle FD = field(LAYOUT, "fd");
        public static final VarHandle EVENTS = field(LAYOUT, "events");
        public static final VarHandle REVENTS = field(LAYOUT, "revents");

        private PollFd() {
        }
    }
}
