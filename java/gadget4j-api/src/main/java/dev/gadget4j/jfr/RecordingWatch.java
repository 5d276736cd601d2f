package dev.gadget4j.jfr;

import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;

/**
 * Keeps {@link GadgetEvents}' flag equal to "some recording is running", so that the transfer
 * paths test one volatile boolean instead of allocating an event to ask it. Registering the
 * listener does not start Flight Recorder.
 */
final class RecordingWatch implements FlightRecorderListener {
    private RecordingWatch() {
    }

    static void install() {
        FlightRecorder.addListener(new RecordingWatch()); // calls recorderInitialized when JFR already runs
        update();
    }

    @Override
    public void recorderInitialized(FlightRecorder recorder) {
        update();
    }

    @Override
    public void recordingStateChanged(Recording recording) {
        update();
    }

    private static synchronized void update() {
        boolean running = false;
        if (FlightRecorder.isInitialized()) {
            for (Recording r : FlightRecorder.getFlightRecorder().getRecordings()) {
                running |= r.getState() == RecordingState.RUNNING;
            }
        }
        GadgetEvents.recording(running);
    }
}
