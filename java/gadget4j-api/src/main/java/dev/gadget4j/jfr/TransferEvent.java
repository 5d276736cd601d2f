package dev.gadget4j.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * One completed gadget-side transfer. Disabled unless a recording enables
 * {@code dev.gadget4j.Transfer} (a stream moves thousands per second). Committed by
 * {@link GadgetEvents#transfer}.
 */
@Name("dev.gadget4j.Transfer")
@Label("USB Transfer")
@Category({"gadget4j", "USB"})
@Description("A gadget-side endpoint transfer completed (classic read/write, AIO or DMABUF)")
@Enabled(false)
@StackTrace(false)
final class TransferEvent extends Event {
    @Label("Endpoint")
    @Description("The endpoint file")
    String endpoint;

    @Label("Path")
    @Description("classic, aio or dmabuf")
    String path;

    @Label("Direction")
    @Description("IN (gadget to host) or OUT (host to gadget)")
    String direction;

    @Label("Bytes")
    @Description("Bytes moved (DMABUF: the length queued; the kernel reports no count for those)")
    @DataAmount
    long bytes;

    @Label("Status")
    @Description("OK or the errno name the transfer completed with")
    String status;

    @Label("Latency")
    @Description("From submission to completion; 0 when recording began while the transfer was in flight")
    @Timespan
    long latency;
}
