import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cli.InputError;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.Addresses;
import net.Ranges;
import net.Target;
import net.Targets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The hosts-file contract from CONVENTIONS.md: every form, and a file:line error for every mistake. */
class TargetsTest {
    static final Targets.Options OPTS = new Targets.Options(22, null, Targets.DEFAULT_MAX_TARGETS);
    final ByteArrayOutputStream warnings = new ByteArrayOutputStream();
    final PrintStream warn = new PrintStream(warnings, true, StandardCharsets.UTF_8);

    List<Target> parse(String... lines) {
        return Targets.parse("hosts.txt", List.of(lines), OPTS, warn);
    }

    List<String> hostPorts(List<Target> ts) {
        return ts.stream().map(Target::hostPort).toList();
    }

    @Test void aHugeBadLineIsNotEchoedWhole() {
        String line = "w".repeat(1_000_000);
        var e = assertThrows(InputError.class, () -> parse(line));
        assertEquals("hosts.txt:1: host name longer than 253 characters: '" + "w".repeat(100) + "...' (1000000 characters)", e.getMessage());
    }

    @Test void everyFormOnePerLine() {
        var ts = parse("# fleet", "", "web01", "web02:2222   # trailing comment", "deploy@db1", "ops@db2:2200",
                "[2001:db8::1]:2022", "::1", "10.1.2.3", "\tgw.example.com.  ");
        assertEquals(List.of("web01:22", "web02:2222", "db1:22", "db2:2200", "[2001:db8::1]:2022", "[::1]:22",
                "10.1.2.3:22", "gw.example.com.:22"), hostPorts(ts));
        assertEquals("deploy", ts.get(2).user());
        assertEquals("ops", ts.get(3).user());
        assertEquals("hosts.txt:4", ts.get(1).origin());
        assertEquals("web02:2222", ts.get(1).spec());
    }

    @Test void rangesKeepZeroPaddingAndMultiply() {
        var ts = parse("web[01-03,10].dc1", "r[1-2]n[8-9]:2222");
        assertEquals(List.of("web01.dc1", "web02.dc1", "web03.dc1", "web10.dc1", "r1n8", "r1n9", "r2n8", "r2n9"),
                ts.stream().map(Target::host).toList());
        assertEquals("r2n9:2222", ts.get(7).spec());
        assertEquals(2222, ts.get(7).port());
    }

    @Test void cidrSkipsNetworkAndBroadcast() {
        var ts = parse("10.0.0.0/29", "192.168.1.7/32", "10.9.9.4/31", "fd00::/126");
        assertEquals(List.of("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6",
                "192.168.1.7", "10.9.9.4", "10.9.9.5", "fd00::1", "fd00::2", "fd00::3"),
                ts.stream().map(Target::host).toList());
    }

    @Test void ipv6AddressesPrintCompressed() throws Exception {
        assertEquals("::1", Addresses.format(java.net.InetAddress.getByName("::1")));
        assertEquals("2001:db8::1:0:0:1", Addresses.format(java.net.InetAddress.getByName("2001:db8:0:0:1:0:0:1")));
        assertEquals("2001:db8:0:1:1:1:1:1", Addresses.format(java.net.InetAddress.getByName("2001:db8:0:1:1:1:1:1")));
        assertEquals("::", Addresses.format(java.net.InetAddress.getByName("::")));
        assertEquals("10.0.0.1", Addresses.format(java.net.InetAddress.getByName("10.0.0.1")));
    }

    @Test void hostBitsInCidrAreIgnoredLikeNmap() {
        assertEquals(14, parse("10.0.0.5/28").size());
    }

    @Test void crlfAndByteOrderMarkAreTolerated() {
        var ts = parse("\uFEFFweb01\r", "web02:22\r");
        assertEquals(List.of("web01:22", "web02:22"), hostPorts(ts));
    }

    @Test void duplicatesAreCheckedOnceAndReported() {
        var ts = parse("web01", "WEB01:22", "web[01-02]");
        assertEquals(List.of("web01:22", "web02:22"), hostPorts(ts));
        String w = warnings.toString(StandardCharsets.UTF_8);
        assertTrue(w.contains("hosts.txt:2: WEB01:22 duplicates hosts.txt:1; checked once"), w);
        assertTrue(w.contains("hosts.txt:3: web01 duplicates hosts.txt:1"), w);
    }

    @Test void sameHostDifferentUserOrPortIsNotADuplicate() {
        assertEquals(3, parse("a@web01", "b@web01", "a@web01:2222").size());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
        web01:22a           | hosts.txt:1: bad port '22a' (expected 1-65535): 'web01:22a'
        web01:0             | hosts.txt:1: bad port '0' (expected 1-65535): 'web01:0'
        web01:65536         | hosts.txt:1: bad port '65536' (expected 1-65535): 'web01:65536'
        web01:              | hosts.txt:1: missing port after ':': 'web01:'
        :22                 | hosts.txt:1: missing host: ':22'
        web01 web02         | hosts.txt:1: more than one word; put one target per line: 'web01 web02'
        ssh://web01         | hosts.txt:1: looks like a URL; write host, host:port or user@host:port: 'ssh://web01'
        web[01-             | hosts.txt:1: unclosed '[' in range: 'web[01-'
        web[03-01]          | hosts.txt:1: range '03-01' runs backwards: 'web[03-01]'
        web[a-c]            | hosts.txt:1: bad range item 'a-c' (expected N or N-M, e.g. [01-20,25]): 'web[a-c]'
        web[]               | hosts.txt:1: empty range '[]': 'web[]'
        web01]              | hosts.txt:1: ']' without '[': 'web01]'
        10.0.0.0/8          | hosts.txt:1: expands to 16777214 addresses, over the limit of 65536 (raise --max-targets): '10.0.0.0/8'
        10.0.0.0/33         | hosts.txt:1: bad prefix length '/33' (expected 0-32): '10.0.0.0/33'
        10.0.0.0/x          | hosts.txt:1: bad prefix length '/x' (expected 0-32): '10.0.0.0/x'
        10.0.0.256          | hosts.txt:1: bad IPv4 address '10.0.0.256': '10.0.0.256'
        10.0.0              | hosts.txt:1: bad IPv4 address '10.0.0': '10.0.0'
        web..dc1            | hosts.txt:1: empty label in host name 'web..dc1': 'web..dc1'
        web_01!             | hosts.txt:1: bad host name 'web_01!' (letters, digits, '-', '_' and '.' only): 'web_01!'
        @web01              | hosts.txt:1: bad user name '': '@web01'
        root@               | hosts.txt:1: missing host after '@': 'root@'
        [2001:db8::1]22     | hosts.txt:1: unexpected '22' after ']' (expected ':PORT'): '[2001:db8::1]22'
        [2001:zz::1]:22     | hosts.txt:1: bad IPv6 address '2001:zz::1': '[2001:zz::1]:22'
        web:22:33           | hosts.txt:1: bad IPv6 address 'web:22:33': 'web:22:33'
        web01,web02         | hosts.txt:1: one target a line (commas separate targets only after -H): 'web01,web02'
        """)
    void badLinesNameFileLineAndText(String line, String expected) {
        var e = assertThrows(InputError.class, () -> parse(line));
        assertEquals(expected, e.getMessage());
    }

    @Test void errorNamesTheRightLine() {
        var e = assertThrows(InputError.class, () -> parse("# ok", "web01", "", "web02:abc"));
        assertTrue(e.getMessage().startsWith("hosts.txt:4: bad port 'abc'"), e.getMessage());
    }

    @Test void capCountsAcrossLines() {
        var opts = new Targets.Options(22, null, 10);
        var e = assertThrows(InputError.class, () -> Targets.parse("h", List.of("a[1-6]", "b[1-6]"), opts, warn));
        assertEquals("h:2: expands to more than 10 targets (raise --max-targets): 'b[1-6]'", e.getMessage());
    }

    @Test void loadReadsFilesStdinAndInlineInOrder(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("fleet.txt");
        Files.writeString(f, "a\nb:2222\n");
        var ts = Targets.load(List.of(f.toString(), "-"), List.of("c,d@e", "f"), OPTS,
                new ByteArrayInputStream("s1\n".getBytes()), warn);
        assertEquals(List.of("a:22", "b:2222", "s1:22", "c:22", "e:22", "f:22"), hostPorts(ts));
        assertEquals(f + ":2", ts.get(1).origin());
        assertEquals("<stdin>:1", ts.get(2).origin());
    }

    @Test void missingEmptyDirectoryAndBinaryFilesAreErrors(@TempDir Path dir) throws Exception {
        Path empty = dir.resolve("empty.txt");
        Files.writeString(empty, "# nothing here\n\n");
        Path bin = dir.resolve("hosts.gz");
        Files.write(bin, new byte[] {0x1f, (byte) 0x8b, 0x08, 0, (byte) 0xff, (byte) 0xfe});
        assertEquals(dir.resolve("nope.txt") + ": no such file", loadError(dir.resolve("nope.txt").toString()));
        assertEquals(empty + ": no targets (the file is empty or has only comments)", loadError(empty.toString()));
        assertEquals(dir + ": is a directory, not a hosts file", loadError(dir.toString()));
        assertEquals(bin + ":1: not UTF-8 text (is this really a hosts file?)", loadError(bin.toString()));
    }

    @Test void noSourceAtAllIsAnError() {
        var e = assertThrows(InputError.class, () -> Targets.load(List.of(), List.of(), OPTS, System.in, warn));
        assertEquals("no targets: give a hosts file, '-' for stdin, or -H host1,host2", e.getMessage());
    }

    @Test void inlineEmptyItemIsAnError() {
        var e = assertThrows(InputError.class, () -> Targets.load(List.of(), List.of("a,,b"), OPTS, System.in, warn));
        assertEquals("-H: empty target in 'a,,b'", e.getMessage());
    }

    String loadError(String file) {
        return assertThrows(InputError.class, () -> Targets.load(List.of(file), List.of(), OPTS, System.in, warn)).getMessage();
    }

    // ---- folding host lists (fanout's gathered view) -------------------------------------------

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "web01,web02,web03,web05;                       web[01-03,05]",
        "web1,web2,web10;                               web[1-2,10]",
        "web08,web09,web10,web11;                       web[08-11]",
        "10.0.0.1:22,10.0.0.2:22,10.0.0.9:22;           10.0.0.[1-2,9]:22",
        "127.0.0.1:2222,127.0.0.1:2223;                 127.0.0.1:[2222-2223]",
        "db1,web01,db2,[::1]:22,gw;                     db[1-2],web01,[::1]:22,gw",
        "rack1-n1,rack1-n2,rack2-n1,rack2-n2;           rack1-n[1-2],rack2-n[1-2]",   // ties: fold on the last number
        "rack1-n1,rack2-n1,rack3-n1,rack1-n2;           rack[1-3]-n1,rack1-n2",
        "a.dc1,b.dc1;                                   a.dc1,b.dc1",
    })
    void foldIsTheInverseOfRangeExpansionForReading(String names, String folded) {
        assertEquals(folded.strip(), Ranges.fold(List.of(names.strip().split(","))));
    }

    @Test void foldedRangesExpandBackToTheSameHosts() {
        List<String> hosts = hostPorts(parse("app[001-040,077].dc[1-2]"));
        List<String> names = parse("app[001-040,077].dc[1-2]").stream().map(Target::spec).toList();
        String folded = Ranges.fold(names);
        List<String> again = hostPorts(parse(folded.split(",(?![^\\[]*\\])")));
        assertEquals(new java.util.TreeSet<>(hosts), new java.util.TreeSet<>(again), folded);
    }

    @Test void unsetPortIsLeftForTheCallerToDecide() {
        var ts = Targets.parse("h", List.of("web01", "web02:2222"), new Targets.Options(Targets.UNSET_PORT, null, 10), warn);
        assertEquals(Targets.UNSET_PORT, ts.get(0).port());
        assertEquals(2222, ts.get(1).port());
    }
}
