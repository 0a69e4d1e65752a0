///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//JAVA_OPTIONS -Xss1m --enable-native-access=ALL-UNNAMED
//DEPS org.junit.jupiter:junit-jupiter:5.13.4
//DEPS org.junit.platform:junit-platform-launcher:1.13.4
//SOURCES ../lib/Cli.java ../lib/Common.java ../lib/FanOut.java ../lib/Report.java ../lib/Targets.java
//SOURCES ../lib/Ssh.java ../lib/SshConfig.java ../lib/HostFacts.java ../lib/HttpCheck.java ../lib/Tcp.java ../lib/Prom.java ../lib/Yaml.java
//SOURCES ../scripts/probe.java ../scripts/ops.java ../scripts/fanout.java ../scripts/sysinfo.java ../scripts/httpcheck.java ../scripts/inspect.java ../scripts/logship.java ../scripts/exporter.java
//SOURCES support/Prereq.java support/ScriptRun.java support/Proc.java support/Sshd.java support/Netns.java support/TestUser.java support/TestHttp.java
//SOURCES TargetsTest.java ReportTest.java ProbeTest.java ProbeNetnsTest.java CatalogTest.java SmokeTest.java FanoutTest.java FanoutNetnsTest.java SshConfigTest.java SysinfoTest.java HttpcheckTest.java InspectTest.java LogshipTest.java ExporterTest.java
//SOURCES support/HarnessJvm.java

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

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

public class run {
    /** Every test class; CatalogTest checks that each tests/*Test.java file is listed here. */
    static final List<Class<?>> ALL = List.of(TargetsTest.class, ReportTest.class, ProbeTest.class,
            ProbeNetnsTest.class, SshConfigTest.class, SysinfoTest.class, HttpcheckTest.class, InspectTest.class, LogshipTest.class, ExporterTest.class, FanoutTest.class, FanoutNetnsTest.class, CatalogTest.class, SmokeTest.class);

    public static void main(String... args) throws Exception {
        Cli.setExitHookForTests(code -> { });
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
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request().selectors(selectors).build();

        AtomicInteger passed = new AtomicInteger(), failed = new AtomicInteger(), skipped = new AtomicInteger();
        List<String> failures = new ArrayList<>();
        long t0 = System.nanoTime();
        TestExecutionListener listener = new TestExecutionListener() {
            @Override public void executionSkipped(TestIdentifier id, String reason) {
                if (id.isTest()) { skipped.incrementAndGet(); System.out.println("SKIP " + name(id) + ": " + reason); }
            }
            @Override public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                String n = name(id);
                switch (result.getStatus()) {
                    case SUCCESSFUL -> { if (id.isTest()) { passed.incrementAndGet(); System.out.println("PASS " + n); } }
                    case ABORTED -> {
                        if (id.isTest()) skipped.incrementAndGet();
                        System.out.println("SKIP " + n + ": " + result.getThrowable().map(Throwable::getMessage).orElse(""));
                    }
                    case FAILED -> {
                        failed.incrementAndGet();
                        String why = result.getThrowable().map(Throwable::toString).orElse("");
                        System.out.println("FAIL " + n + ": " + why);
                        result.getThrowable().ifPresent(t -> t.printStackTrace(System.out));
                        failures.add(n + ": " + why);
                    }
                }
                System.out.flush();
            }
        };
        LauncherFactory.create().execute(request, listener);
        System.out.println();
        failures.forEach(f -> System.out.println("failed: " + f));
        System.out.printf("tests took %.1fs%n", (System.nanoTime() - t0) / 1e9);
        System.out.println(passed + " passed, " + failed + " failed, " + skipped + " skipped");
        System.exit(failed.get() == 0 && passed.get() > 0 ? 0 : 1);
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
