package dev.gadget4j.conformance;

import dev.gadget4j.Backend;
import dev.gadget4j.Backends;
import dev.gadget4j.sim.SimBackend;
import dev.gadget4j.sim.SimClock;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The backend under test. The suite runs on the backend named by the system property
 * {@code gadget4j.backend} (default {@code sim}); on the simulator, {@link #elapse} advances the
 * simulated clock, elsewhere it sleeps, so the same case proves the same timeout on both.
 */
public final class Fixture {
    private static final Pattern RELEASE = Pattern.compile("(\\d+)\\.(\\d+)\\b.*");
    private final String name;
    private final boolean scatterGather;
    private SimClock clock;

    private Fixture(String name, boolean scatterGather) {
        this.name = name;
        this.scatterGather = scatterGather;
    }

    private Fixture(String name) {
        this(name, true);
    }

    /** The simulator with a UDC without scatter-gather (as dwc2 or musb): DMABUF ATTACH fails with EPERM. */
    public static Fixture simWithoutScatterGather() {
        return new Fixture("sim", false);
    }

    /** The fixture for this run. */
    public static Fixture current() {
        String name = System.getProperty(Backends.PROPERTY, "sim");
        return new Fixture(name.isBlank() ? "sim" : name);
    }

    /** The backend's name. */
    public String name() {
        return name;
    }

    /** Whether this is the simulator. */
    public boolean simulated() {
        return name.equals("sim");
    }

    /**
     * Whether the backend has the FunctionFS DMABUF interface: the simulator always, a kernel
     * from Linux 6.9 on (judged by the release this JVM runs on, independently of the library).
     */
    public boolean dmaBufInterface() {
        if (simulated()) {
            return true;
        }
        Matcher m = RELEASE.matcher(System.getProperty("os.version", ""));
        if (!m.matches()) {
            return true;
        }
        int major = Integer.parseInt(m.group(1));
        return major > 6 || (major == 6 && Integer.parseInt(m.group(2)) >= 9);
    }

    /** Opens a fresh backend. */
    public Backend open() {
        if (simulated()) {
            clock = new SimClock();
            return SimBackend.builder().clock(clock).scatterGather(scatterGather).build();
        }
        return Backends.open(name);
    }

    /** Lets {@code amount} of backend time pass: advances the simulated clock, or sleeps on a kernel. */
    public void elapse(Duration amount) {
        if (clock != null) {
            clock.advance(amount);
        } else {
            try {
                Thread.sleep(amount);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
