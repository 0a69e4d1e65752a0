///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//JAVA_OPTIONS -Xss1m --enable-native-access=ALL-UNNAMED
//DEPS org.junit.jupiter:junit-jupiter:5.13.4
//DEPS org.junit.platform:junit-platform-launcher:1.13.4
//SOURCES ../lib/*/*.java
//SOURCES ../scripts/alertrelay.java ../scripts/cleanup.java ../scripts/snmp.java ../scripts/netconf.java ../scripts/probe.java ../scripts/ops.java ../scripts/fanout.java ../scripts/sysinfo.java ../scripts/httpcheck.java ../scripts/dnscheck.java ../scripts/inspect.java ../scripts/logship.java ../scripts/exporter.java ../scripts/rollout.java
//SOURCES support/Prereq.java support/ScriptRun.java support/Proc.java support/Sshd.java support/TestAgent.java support/Netns.java support/TestUser.java support/TestHttp.java
//SOURCES TargetsTest.java ReportTest.java ProbeTest.java ProbeNetnsTest.java CatalogTest.java SmokeTest.java FanoutTest.java FanoutNetnsTest.java FanoutJumpTest.java FanoutSshConfigTest.java SshConfigTest.java SshAgentTest.java SysinfoTest.java HttpcheckTest.java InspectTest.java InspectServeTest.java LogshipTest.java ExporterTest.java RolloutTest.java
//SOURCES HarnessTest.java LauncherTest.java LatencyTest.java ReadmeTest.java GoldenTest.java
//SOURCES TerminalTest.java DnscheckTest.java support/Dnsmasq.java SnmpTest.java support/Snmpd.java NetconfTest.java support/Netconfd.java
//SOURCES support/Golden.java
//SOURCES CleanupTest.java support/Tmpfs.java
//SOURCES support/Leftovers.java
//SOURCES support/HarnessJvm.java
//SOURCES LogshipKafkaTest.java LogshipLokiTest.java LogshipModelTest.java support/Kafka.java
//SOURCES ExporterCoverageTest.java support/NodeExporter.java support/Families.java support/Coverage.java support/Fixtures.java
//SOURCES ChatTest.java AlertrelayTest.java support/Robots.java

/*
 * The ops test harness: compiles every script, the lib and the tests into one jar (through JBang,
 * so the scripts' own //DEPS are what the tests use) and runs them with the JUnit 5 platform.
 *
 *   ./jbang tests/run.java                      # everything
 *   ./jbang tests/run.java ProbeTest            # one class
 *   ./jbang tests/run.java ProbeTest#refused    # one method (name prefix)
 *
 * Ends with "N passed, N failed, N skipped"; exit 0 only when nothing failed. Tests that need root,
 * sshd, iptables or nmap skip outside CI and fail under CI=true.
 */

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import cli.Jvm;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

public class run {
    /** Every test class; CatalogTest checks that each tests/*Test.java file is listed here. */
    static final List<Class<?>> ALL = List.of(TargetsTest.class, ReportTest.class, ProbeTest.class,
            ProbeNetnsTest.class, SshConfigTest.class, SshAgentTest.class, SysinfoTest.class, HttpcheckTest.class, InspectTest.class, LogshipTest.class, ExporterTest.class, FanoutTest.class, FanoutNetnsTest.class, RolloutTest.class, FanoutJumpTest.class, FanoutSshConfigTest.class, CatalogTest.class, SmokeTest.class, HarnessTest.class, LauncherTest.class, LatencyTest.class, ReadmeTest.class, GoldenTest.class, TerminalTest.class, DnscheckTest.class, SnmpTest.class, NetconfTest.class, CleanupTest.class, LogshipKafkaTest.class, LogshipLokiTest.class, LogshipModelTest.class,
            ExporterCoverageTest.class, ChatTest.class, AlertrelayTest.class, InspectServeTest.class);

    public static void main(String... args) throws Exception {
        Jvm.install(Jvm.inProcess());
        List<DiscoverySelector> selectors = new ArrayList<>();
        for (String a : args) {
            int hash = a.indexOf('#');
            Class<?> c = Class.forName(hash < 0 ? a : a.substring(0, hash));
            if (hash < 0) {
                selectors.add(selectClass(c));
            } else {
                for (var m : c.getDeclaredMethods()) {
                    if (m.getName().startsWith(a.substring(hash + 1)) && m.isAnnotationPresent(org.junit.jupiter.api.Test.class)) {
                        selectors.add(selectMethod(c, m));
                    }
                }
            }
        }
        if (args.length == 0) ALL.forEach(c -> selectors.add(selectClass(c)));
        long t0 = System.nanoTime();
        if (System.getenv("SSH_AUTH_SOCK") != null) {
            // fanout run in-process reads it like ssh does: that agent's keys would be offered first.
            System.out.println("harness: SSH_AUTH_SOCK is set; in-process fanout tests will offer that agent's keys"
                    + " (run with env -u SSH_AUTH_SOCK for exact results)");
        }
        TestUser.remove();                                  // a leftover of a run that was killed
        var before = Leftovers.snapshot();
        Tally t = execute(selectors, System.out);
        t = leftNothingBehind(t, before);
        System.out.println();
        t.failures().forEach(f -> System.out.println("failed: " + f));
        System.out.printf("tests took %.1fs%n", (System.nanoTime() - t0) / 1e9);
        System.out.println(t.passed() + " passed, " + t.failed() + " failed, " + t.skipped() + " skipped");
        System.exit(t.failed() == 0 && t.passed() > 0 ? 0 : 1);
    }

    /**
     * The machine as the tests found it: no account, sudoers entry, network namespace or process
     * of theirs survives the run. Counted as one more test ("harness.leftNothingBehind").
     */
    static Tally leftNothingBehind(Tally t, java.util.Map<String, java.util.TreeSet<String>> before) {
        TestUser.remove();
        String added = "";
        for (int i = 0; i < 20; i++) {                     // a process killed a moment ago may still be exiting
            added = Leftovers.added(before, Leftovers.snapshot());
            if (added.isEmpty()) break;
            try { Thread.sleep(250); } catch (InterruptedException e) { break; }
        }
        List<String> failures = new ArrayList<>(t.failures());
        if (added.isEmpty()) {
            System.out.println("PASS harness.leftNothingBehind");
            return new Tally(t.passed() + 1, t.failed(), t.skipped(), failures);
        }
        System.out.println("FAIL harness.leftNothingBehind: " + added);
        failures.add("harness.leftNothingBehind: " + added);
        return new Tally(t.passed(), t.failed() + 1, t.skipped(), failures);
    }

    /** What a run counted; every test of the plan is in exactly one of the three numbers. */
    record Tally(int passed, int failed, int skipped, List<String> failures) {}

    /** Runs the selected tests, printing PASS/SKIP/FAIL lines on {@code log} as they finish. */
    static Tally execute(List<DiscoverySelector> selectors, java.io.PrintStream log) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request().selectors(selectors).build();

        AtomicInteger passed = new AtomicInteger(), failed = new AtomicInteger(), skipped = new AtomicInteger();
        List<String> failures = new ArrayList<>();
        // Every test of the plan is counted once: a test inside a class that was skipped or aborted
        // as a whole (e.g. no sshd outside CI) never reports itself, so its class's outcome counts.
        java.util.Set<TestIdentifier> reported = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.Map<TestIdentifier, String> containerOutcome = new java.util.concurrent.ConcurrentHashMap<>();
        TestPlan[] plan = new TestPlan[1];
        TestExecutionListener listener = new TestExecutionListener() {
            @Override public void testPlanExecutionStarted(TestPlan p) { plan[0] = p; }
            @Override public void executionSkipped(TestIdentifier id, String reason) {
                if (id.isTest()) { reported.add(id); skipped.incrementAndGet(); log.println("SKIP " + name(id) + ": " + reason); }
                else containerOutcome.put(id, "skipped: " + reason);
            }
            @Override public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                String n = name(id);
                if (id.isTest()) reported.add(id);
                switch (result.getStatus()) {
                    case SUCCESSFUL -> { if (id.isTest()) { passed.incrementAndGet(); log.println("PASS " + n); } }
                    case ABORTED -> {
                        String why = result.getThrowable().map(Throwable::getMessage).orElse("");
                        if (id.isTest()) { skipped.incrementAndGet(); log.println("SKIP " + n + ": " + why); }
                        else containerOutcome.put(id, "skipped: " + why);
                    }
                    case FAILED -> {
                        String why = result.getThrowable().map(Throwable::toString).orElse("");
                        if (id.isTest()) failed.incrementAndGet(); else containerOutcome.put(id, "failed: " + why);
                        log.println("FAIL " + n + ": " + why);
                        result.getThrowable().ifPresent(t -> t.printStackTrace(log));
                        failures.add(n + ": " + why);
                    }
                }
                log.flush();
            }
        };
        LauncherFactory.create().execute(request, listener);
        for (TestIdentifier root : plan[0].getRoots()) {
            for (TestIdentifier t : plan[0].getDescendants(root)) {
                if (!t.isTest() || reported.contains(t)) continue;
                String outcome = "skipped: not run";
                for (var p = plan[0].getParent(t); p.isPresent(); p = plan[0].getParent(p.get())) {
                    if (containerOutcome.containsKey(p.get())) { outcome = containerOutcome.get(p.get()); break; }
                }
                if (outcome.startsWith("failed")) {
                    failed.incrementAndGet();
                    log.println("FAIL " + name(t) + ": its class " + outcome);
                    failures.add(name(t) + ": its class " + outcome);
                } else {
                    skipped.incrementAndGet();
                    log.println("SKIP " + name(t) + ": its class was " + outcome);
                }
            }
        }
        // A class that failed where no test of it was left to carry the failure still counts once.
        containerOutcome.forEach((id, outcome) -> {
            if (outcome.startsWith("failed") && plan[0].getDescendants(id).stream().noneMatch(t -> t.isTest() && !reported.contains(t))) {
                failed.incrementAndGet();     // e.g. @AfterAll failed after every test had passed
            }
        });
        return new Tally(passed.get(), failed.get(), skipped.get(), failures);
    }

    /** "ProbeTest.refused", with the invocation for parameterized tests. */
    static String name(TestIdentifier id) {
        String cls = "", method = "";
        for (var s : id.getUniqueIdObject().getSegments()) {
            switch (s.getType()) {
                case "class" -> cls = s.getValue();
                case "method", "test-template" -> method = "." + s.getValue().replaceAll("\\(.*", "");
                default -> { }
            }
        }
        boolean invocation = id.getUniqueIdObject().getLastSegment().getType().endsWith("invocation");
        return cls + method + (invocation ? " " + id.getDisplayName() : "");
    }
}
