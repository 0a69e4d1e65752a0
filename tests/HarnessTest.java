import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * The harness's closing line counts every test: one in a class skipped as a whole (no sshd outside
 * CI, say) is a skipped test, one in a class whose set-up failed is a failed test; none vanish.
 * The fixtures below are nested classes, so only these tests run them.
 */
class HarnessTest {
    static run.Tally tally(Class<?> fixture) {
        return run.execute(List.of(selectClass(fixture)), new PrintStream(OutputStream.nullOutputStream()));
    }

    @Test void aClassAbortedInBeforeAllCountsEachOfItsTestsAsSkipped() {
        var t = tally(AbortedClass.class);
        assertEquals(List.of(0, 0, 3), List.of(t.passed(), t.failed(), t.skipped()), t.toString());
    }

    @Test void aDisabledClassCountsEachOfItsTestsAsSkipped() {
        var t = tally(DisabledClass.class);
        assertEquals(List.of(0, 0, 2), List.of(t.passed(), t.failed(), t.skipped()), t.toString());
    }

    @Test void aClassWhoseSetUpFailedCountsEachOfItsTestsAsFailed() {
        var t = tally(BrokenSetUp.class);
        assertEquals(List.of(0, 2, 0), List.of(t.passed(), t.failed(), t.skipped()), t.toString());
    }

    @Test void aFailingTearDownAfterPassingTestsIsAFailure() {
        var t = tally(BrokenTearDown.class);
        assertEquals(List.of(1, 1, 0), List.of(t.passed(), t.failed(), t.skipped()), t.toString());
    }

    /** The leftover check can fail: a network namespace made after the first snapshot is reported. */
    @Test void theLeftoverCheckSeesANetworkNamespaceLeftBehind() {
        Netns.require();
        var before = Leftovers.snapshot();
        try (Netns ns = Netns.create()) {
            String added = Leftovers.added(before, Leftovers.snapshot());
            assertTrue(added.contains("network namespace " + ns.name) && added.contains("/etc/netns entry " + ns.name), added);
        }
        assertEquals("", Leftovers.added(before, Leftovers.snapshot()));
    }

    static class AbortedClass {
        @BeforeAll static void needsSomething() { Assumptions.abort("needs /usr/sbin/sshd"); }
        @Test void one() { }
        @Test void two() { }
        @Test void three() { }
    }

    @Disabled("fixture")
    static class DisabledClass {
        @Test void one() { }
        @Test void two() { }
    }

    static class BrokenSetUp {
        @BeforeAll static void start() { throw new IllegalStateException("server did not start"); }
        @Test void one() { }
        @Test void two() { }
    }

    static class BrokenTearDown {
        @AfterAll static void stop() { throw new IllegalStateException("could not clean up"); }
        @Test void one() { }
    }
}
