package dev.gadget4j;

/** No backend could be opened, or the one asked for is not available here; the message says why. */
public class BackendUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BackendUnavailableException(String message) {
        super(message);
    }
}
