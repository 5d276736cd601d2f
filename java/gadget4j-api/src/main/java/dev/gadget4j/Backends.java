package dev.gadget4j;

import dev.gadget4j.spi.BackendProvider;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;

/**
 * Finds and opens backends.
 *
 * <p>Selection: the system property {@value #PROPERTY}, else the environment variable
 * {@value #ENVIRONMENT}, may name a provider ({@code linux}, {@code sim}, or any other provider's
 * name); {@code auto} or nothing picks the available provider with the highest priority. A named
 * provider that is not available fails with its reason rather than falling back silently.
 */
public final class Backends {

    /** System property naming the backend to use. */
    public static final String PROPERTY = "gadget4j.backend";

    /** Environment variable naming the backend to use (the system property wins). */
    public static final String ENVIRONMENT = "GADGET4J_BACKEND";

    private Backends() {
    }

    /** A provider and whether it can work here. */
    public record Status(String name, int priority, boolean available, String reason) {
    }

    /** Opens the backend selected by the system property, the environment, or availability. */
    public static Backend open() {
        String wanted = System.getProperty(PROPERTY);
        if (wanted == null || wanted.isBlank()) {
            wanted = System.getenv(ENVIRONMENT);
        }
        return open(wanted == null || wanted.isBlank() ? "auto" : wanted.trim());
    }

    /**
     * Opens the named backend, or the best available one for {@code "auto"}.
     *
     * @throws BackendUnavailableException with the provider's reason when it is not available,
     *                                     or the list of known providers for an unknown name
     */
    public static Backend open(String name) {
        List<BackendProvider> providers = providers();
        if (name.equalsIgnoreCase("auto")) {
            StringBuilder reasons = new StringBuilder();
            for (BackendProvider p : providers) {
                BackendProvider.Availability a = p.availability();
                if (a.available()) {
                    return p.open();
                }
                reasons.append("\n  ").append(p.name()).append(": ").append(a.reason());
            }
            throw new BackendUnavailableException("no gadget4j backend is available:" + reasons);
        }
        for (BackendProvider p : providers) {
            if (p.name().equals(name.toLowerCase(Locale.ROOT))) {
                BackendProvider.Availability a = p.availability();
                if (!a.available()) {
                    throw new BackendUnavailableException("backend '" + p.name() + "' is not available: " + a.reason());
                }
                return p.open();
            }
        }
        throw new BackendUnavailableException("no backend named '" + name + "'; known: "
                + providers.stream().map(BackendProvider::name).toList());
    }

    /** Every provider on the class or module path, best first, with its availability. */
    public static List<Status> list() {
        List<Status> out = new ArrayList<>();
        for (BackendProvider p : providers()) {
            BackendProvider.Availability a = p.availability();
            out.add(new Status(p.name(), p.priority(), a.available(), a.reason()));
        }
        return out;
    }

    private static List<BackendProvider> providers() {
        List<BackendProvider> list = new ArrayList<>();
        ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader()).forEach(list::add);
        list.sort(Comparator.comparingInt(BackendProvider::priority).reversed()
                .thenComparing(BackendProvider::name));
        return list;
    }
}
