package dev.gadget4j.spi;

import dev.gadget4j.Backend;

/**
 * A way to reach gadget hardware, found through {@link java.util.ServiceLoader}.
 *
 * <p>{@link dev.gadget4j.Backends#open()} picks the available provider with the highest
 * {@link #priority()}, unless the system property {@code gadget4j.backend} or the environment
 * variable {@code GADGET4J_BACKEND} names one.
 */
public interface BackendProvider {

    /** A short, unique name: {@code linux}, {@code sim}. */
    String name();

    /** Higher wins when several are available. The real kernel backend ranks above the simulator. */
    int priority();

    /** Whether {@link #open()} can work here, and if not, why, in words a user can act on. */
    Availability availability();

    /**
     * Opens the backend.
     *
     * @throws dev.gadget4j.GadgetException if it cannot be opened after all
     */
    Backend open();

    /**
     * Whether a provider can work on this machine.
     *
     * @param available whether it can
     * @param reason    why not, or a short description of what it found
     */
    record Availability(boolean available, String reason) {

        /** Available, with a note on what was found. */
        public static Availability yes(String found) {
            return new Availability(true, found);
        }

        /** Not available, and why. */
        public static Availability no(String reason) {
            return new Availability(false, reason);
        }
    }
}
