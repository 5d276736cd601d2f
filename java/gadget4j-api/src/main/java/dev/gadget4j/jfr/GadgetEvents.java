package dev.gadget4j.jfr;

import dev.gadget4j.Errno;
import dev.gadget4j.Event;
import jdk.jfr.EventType;

/**
 * The backends' JFR events: {@code dev.gadget4j.Transfer} (one per completed gadget-side
 * transfer) and {@code dev.gadget4j.Ep0} (one per ep0 event handed to the application). Both are
 * disabled by default; enable them in a recording, e.g.
 * {@code -XX:StartFlightRecording:+dev.gadget4j.Transfer#enabled=true,+dev.gadget4j.Ep0#enabled=true,filename=g.jfr}
 * (the {@code +} adds a setting for an event the default configuration does not list).
 *
 * <p>While no recording runs, every method here costs one read of a volatile flag, kept by a
 * {@link jdk.jfr.FlightRecorderListener}, and allocates nothing: transfer paths call them
 * unconditionally. A transfer keeps {@link #start()} from its submission and reports its
 * completion with {@link #transfer}.
 */
public final class GadgetEvents {
    /** Transfer paths, as {@code path} of the transfer event. */
    public static final String CLASSIC = "classic";
    public static final String AIO = "aio";
    public static final String DMABUF = "dmabuf";

    private static volatile boolean recording;
    /**
     * The transfer event's type, looked up by the first {@link #start()} while a recording runs
     * (not in the recorder's listener, which JFR calls under its own locks).
     */
    private static volatile EventType transferType;

    static {
        RecordingWatch.install();
    }

    private GadgetEvents() {
    }

    /** Whether a JFR recording is running (the events themselves may still be disabled in it). */
    public static boolean isEnabled() {
        return recording;
    }

    static void recording(boolean on) {
        recording = on;
    }

    /**
     * The start of a transfer for its latency: {@link System#nanoTime()} while a running recording
     * enables the transfer event, else 0. A recording that leaves the event off (JFR's default and
     * profile settings do) costs a transfer one more flag test, not a clock reading; the Linux
     * DMABUF path also keeps its short fence reading then, which it gives up for the event's
     * latency.
     */
    public static long start() {
        if (!recording) {
            return 0L;
        }
        EventType t = transferType;
        if (t == null) {
            t = EventType.getEventType(TransferEvent.class);
            transferType = t;
        }
        return t.isEnabled() ? System.nanoTime() : 0L;
    }

    /**
     * A gadget-side transfer completed.
     *
     * @param endpoint the endpoint file (its path)
     * @param path {@link #CLASSIC}, {@link #AIO} or {@link #DMABUF}
     * @param in whether it is an IN (gadget to host) transfer
     * @param bytes the bytes moved (DMABUF: the length queued)
     * @param status null for success, else the errno it completed with
     * @param startNanos what {@link #start()} returned when it was submitted
     */
    public static void transfer(String endpoint, String path, boolean in, long bytes, Errno status, long startNanos) {
        transfer(endpoint, path, in, bytes, status, startNanos, 0);
    }

    /**
     * {@link #transfer(String, String, boolean, long, Errno, long)} for a transfer whose end the
     * backend knows more precisely than the moment it reports it (a DMA fence's signal
     * timestamp): {@code endNanos} in {@link System#nanoTime()} units, 0 for "now".
     */
    public static void transfer(String endpoint, String path, boolean in, long bytes, Errno status, long startNanos,
                                long endNanos) {
        if (!recording) {
            return;
        }
        TransferEvent e = new TransferEvent();
        if (e.isEnabled()) {
            e.endpoint = endpoint;
            e.path = path;
            e.direction = in ? "IN" : "OUT";
            e.bytes = bytes;
            e.status = status == null ? "OK" : status.name();
            e.latency = startNanos == 0 ? 0 : (endNanos > startNanos ? endNanos : System.nanoTime()) - startNanos;
            e.commit();
        }
    }

    /** The ep0 event {@code event} of the function whose ep0 file is {@code ep0} was handed to the application. */
    public static void ep0(String ep0, Event event) {
        if (!recording) {
            return;
        }
        Ep0Event e = new Ep0Event();
        if (e.isEnabled()) {
            e.ep0 = ep0;
            e.type = switch (event) {
                case Event.Bind b -> "BIND";
                case Event.Unbind u -> "UNBIND";
                case Event.Enable en -> "ENABLE";
                case Event.Disable d -> "DISABLE";
                case Event.Setup s -> "SETUP";
                case Event.Suspend s -> "SUSPEND";
                case Event.Resume r -> "RESUME";
            };
            boolean setup = event instanceof Event.Setup;
            var p = setup ? ((Event.Setup) event).packet() : null;
            e.requestType = setup ? p.requestType() : -1;
            e.request = setup ? p.request() : -1;
            e.value = setup ? p.value() : -1;
            e.index = setup ? p.index() : -1;
            e.length = setup ? p.length() : -1;
            e.commit();
        }
    }
}
