package dev.gadget4j.examples.scope;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The scope and its host on the simulator, as {@code ./run --backend sim} runs them. */
class ScopeTest {
    @Test
    void streamsVerifiedFramesBetweenStartAndStop() throws Exception {
        String report = ScopeMain.run("sim", 50);
        assertTrue(report.startsWith("scope on backend 'sim': verified 2 acquisitions"), report);
    }
}
