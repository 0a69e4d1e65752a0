package metrics;

//DEPS io.prometheus:prometheus-metrics-core:1.10.0
//SOURCES Source.java Snapshots.java Procfs.java
//SOURCES Collected.java

import static metrics.Snapshots.untyped;

import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * node_netstat_PROTO_FIELD: the protocol counters of /proc/net/netstat, /proc/net/snmp and
 * /proc/net/snmp6 that node_exporter 1.5 exports by default (errors, octets, TCP opens, resets,
 * retransmits, listen drops, syncookies, UDP datagrams and buffer errors), untyped as there.
 */
final class Netstat implements Source {
    /** node_exporter's --collector.netstat.fields default. */
    static final Pattern FIELDS = Pattern.compile("^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)|Icmp6?_(InMsgs|OutMsgs)"
            + "|TcpExt_(Listen.*|Syncookies.*|TCPSynRetrans|TCPTimeouts)|Tcp_(ActiveOpens|InSegs|OutSegs|OutRsts|PassiveOpens|RetransSegs|CurrEstab)"
            + "|Udp6?_(InDatagrams|OutDatagrams|NoPorts|RcvbufErrors|SndbufErrors))$");
    final Path netstat, snmp, snmp6;

    Netstat(Path procfs) {
        this.netstat = procfs.resolve("net/netstat");
        this.snmp = procfs.resolve("net/snmp");
        this.snmp6 = procfs.resolve("net/snmp6");
    }

    @Override
    public Collected collect(Consumer<String> step) throws IOException {
        List<MetricSnapshot> out = new ArrayList<>();
        for (Path file : List.of(netstat, snmp)) {
            step.accept("read " + file);
            pairs(file, Procfs.lines(file), out);
        }
        if (Files.exists(snmp6)) {                                          // no IPv6: no file
            step.accept("read " + snmp6);
            for (String line : Procfs.lines(snmp6)) {
                String[] f = Procfs.fields(line);                           // "Icmp6InMsgs  12"
                int six = f.length == 2 ? f[0].indexOf('6') : -1;
                if (six > 0) add(f[0].substring(0, six + 1) + "_" + f[0].substring(six + 1), f[1], out);
            }
        }
        return Collected.of(out);
    }

    /** netstat and snmp: a header line of names and a line of values per protocol ("Tcp: RtoAlgorithm ..." / "Tcp: 1 ..."). */
    static void pairs(Path file, List<String> lines, List<MetricSnapshot> out) throws IOException {
        for (int i = 0; i + 1 < lines.size(); i += 2) {
            String[] names = Procfs.fields(lines.get(i)), values = Procfs.fields(lines.get(i + 1));
            if (names.length != values.length || names.length == 0 || !names[0].equals(values[0]) || !names[0].endsWith(":")) {
                throw new IOException(file + ":" + (i + 1) + ": a header line and its values do not match");
            }
            String protocol = names[0].substring(0, names[0].length() - 1);
            for (int k = 1; k < names.length; k++) add(protocol + "_" + names[k], values[k], out);
        }
    }

    static void add(String key, String value, List<MetricSnapshot> out) {
        if (!FIELDS.matcher(key).matches()) return;
        out.add(untyped("node_netstat_" + key, "Statistic " + key.replace("_", "") + ".", Double.parseDouble(value)));
    }
}
