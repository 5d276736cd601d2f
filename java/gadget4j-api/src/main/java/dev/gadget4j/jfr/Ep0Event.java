package dev.gadget4j.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** One ep0 event handed to the application. Disabled unless a recording enables {@code dev.gadget4j.Ep0}. */
@Name("dev.gadget4j.Ep0")
@Label("FunctionFS ep0 Event")
@Category({"gadget4j", "USB"})
@Description("An event read from a FunctionFS instance's ep0: BIND, UNBIND, ENABLE, DISABLE, SETUP, SUSPEND, RESUME")
@Enabled(false)
@StackTrace(false)
final class Ep0Event extends Event {
    @Label("ep0")
    @Description("The function's ep0 file")
    String ep0;

    @Label("Type")
    String type;

    @Label("bmRequestType")
    @Description("SETUP only, else -1")
    int requestType;

    @Label("bRequest")
    @Description("SETUP only, else -1")
    int request;

    @Label("wValue")
    @Description("SETUP only, else -1")
    int value;

    @Label("wIndex")
    @Description("SETUP only, else -1")
    int index;

    @Label("wLength")
    @Description("SETUP only, else -1")
    int length;
}
