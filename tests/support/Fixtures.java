import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Small procfs, sysfs and udev trees, like node_exporter's own end-to-end fixtures, with the odd
 * cases an operator meets: 128 CPUs, a disk that never did I/O, a disk of a kernel without the
 * discard and flush columns, partitions and loops to leave out, an interface whose name has a
 * space, a link that is down (its carrier reads nothing), hwmon chips and thermal zones. The
 * protocol tables (netstat, snmp, snmp6, vmstat, sockstat) are this host's, copied once.
 */
public final class Fixtures {
    private Fixtures() {}

    static void write(Path root, String file, String text) throws IOException {
        Path p = root.resolve(file);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text, StandardCharsets.ISO_8859_1);
    }

    static void copy(Path root, String file) throws IOException {
        try (var in = new java.io.FileInputStream("/proc/" + file)) {
            write(root, file, new String(in.readAllBytes(), StandardCharsets.ISO_8859_1));
        }
    }

    public static Path procfs(Path root) throws IOException {
        StringBuilder stat = new StringBuilder("cpu  1280000 1280 256000 12800000 1280 0 1280 0 0 0\n");
        StringBuilder softnet = new StringBuilder(), schedstat = new StringBuilder("version 15\ntimestamp 4295003926\n");
        for (int i = 0; i < 128; i++) {
            stat.append(String.format("cpu%d %d %d %d %d %d %d %d %d %d %d%n", i, 10000 + i, i, 2000 + i, 100000 + 7 * i, i % 5, 0, 10 + i, i % 3, i % 2 * 50, 0));
            softnet.append(String.format("%08x %08x %08x 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 %08x 00000000 00000000%n",
                    1000 + i, i % 4, i % 7, i));
            if (i < 4) {
                schedstat.append(String.format("cpu%d 0 0 0 0 0 0 %d %d %d%n", i, 2_000_000_000L * (i + 1), 300_000_000L * (i + 1), 4000 + i));
                schedstat.append("domain0 00000000,00000003 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
            }
        }
        stat.append("intr 123456 0 9 0\nctxt 987654\nbtime 1700000000\nprocesses 4242\nprocs_running 3\nprocs_blocked 1\nsoftirq 5555 0 1 2 3 4 5 6 7 8 9\n");
        write(root, "stat", stat.toString());
        write(root, "net/softnet_stat", softnet.toString());
        write(root, "schedstat", schedstat.toString());
        write(root, "loadavg", "0.42 1.25 2.50 3/456 7890\n");
        write(root, "meminfo", """
                MemTotal:        8000000 kB
                MemFree:         1000000 kB
                MemAvailable:    4000000 kB
                Buffers:           12345 kB
                Cached:          2000000 kB
                Active(anon):     300000 kB
                Inactive(file):   400000 kB
                HugePages_Total:       2
                HugePages_Free:        1
                Hugepagesize:       2048 kB
                """);
        write(root, "diskstats", """
                   7       0 loop0 5 0 10 0 0 0 0 0 0 1 1 0 0 0 0 0 0
                   8       0 sda 32710 8599 1828962 17808 6994 9759 1273176 8611 2 8916 29067 3706 98 101776 1461 932 1185
                   8       1 sda1 100 0 800 5 0 0 0 0 0 5 5 0 0 0 0 0 0
                 259       0 nvme0n1 1000 10 80000 300 2000 20 160000 900 0 1100 1200 5 0 4096 7
                 259       1 nvme0n1p1 10 0 80 3 0 0 0 0 0 3 3 0 0 0 0
                 253       0 vdb 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
                 254       0 dm-0 500 0 4000 60 700 0 5600 90 0 150 150
                """);
        write(root, "net/dev", """
                Inter-|   Receive                                                |  Transmit
                 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
                    lo:  123456     789    0    0    0     0          0         0   123456     789    0    0    0     0       0          0
                  eth0: 98765432  65432    1    2    3     4          5         6 12345678  54321    7    8    9    10      11         12
                my if:     1000      10    0    0    0     0          0         0     2000      20    0    0    0     0       0          0
                """);
        write(root, "net/arp", """
                IP address       HW type     Flags       HW address            Mask     Device
                192.0.2.1        0x1         0x2         02:fc:00:00:00:05     *        eth0
                192.0.2.7        0x1         0x2         02:fc:00:00:00:07     *        eth0
                198.51.100.9     0x1         0x2         02:fc:00:00:00:09     *        my_if
                """);
        write(root, "net/udp", """
                   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
                  221: 00000000:0044 00000000:0000 07 00000000:00000300 00:00000000 00000000     0        0 16231 2 0000000000000000 0
                  300: 0100007F:0035 00000000:0000 07 00000010:00000000 00:00000000 00000000     0        0 16232 2 0000000000000000 0
                """);
        write(root, "net/udp6", """
                  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
                   12: 00000000000000000000000000000000:0222 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 1 2 0000000000000000 0
                """);
        write(root, "pressure/cpu", "some avg10=1.00 avg60=0.50 avg300=0.10 total=8919525\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
        write(root, "pressure/io", "some avg10=0.00 avg60=0.00 avg300=0.00 total=2865534\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=2324415\n");
        write(root, "pressure/memory", "some avg10=0.00 avg60=0.00 avg300=0.00 total=1500000\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=250000\n");
        write(root, "sys/fs/file-nr", "3025\t0\t9223372036854775807\n");
        write(root, "sys/kernel/random/entropy_avail", "256\n");
        write(root, "sys/kernel/random/poolsize", "256\n");
        write(root, "sys/net/netfilter/nf_conntrack_count", "123\n");
        write(root, "sys/net/netfilter/nf_conntrack_max", "262144\n");
        write(root, "net/stat/nf_conntrack", """
                entries  clashres found new invalid ignore delete chainlength insert insert_failed drop early_drop icmp_error  expect_new expect_create expect_delete search_restart
                0000007b  00000000 00000005 00000000 00000003 00000011 00000000 00000000 00000002 00000001 00000004 00000000 00000000  00000000 00000000 00000000 00000009
                0000007b  00000000 00000006 00000000 00000001 00000010 00000000 00000000 00000003 00000000 00000000 00000002 00000000  00000000 00000000 00000000 00000001
                """);
        for (String f : new String[] {"net/netstat", "net/snmp", "vmstat", "net/sockstat"}) copy(root, f);
        if (Files.exists(Path.of("/proc/net/snmp6"))) copy(root, "net/snmp6");
        if (Files.exists(Path.of("/proc/net/sockstat6"))) copy(root, "net/sockstat6");
        return root;
    }

    public static Path sysfs(Path root) throws IOException {
        for (String dev : new String[] {"eth0", "my if", "lo"}) {
            String d = "class/net/" + dev + "/";
            boolean up = !dev.equals("my if");
            write(root, d + "address", dev.equals("lo") ? "00:00:00:00:00:00\n" : "02:fc:00:00:00:0" + dev.length() + "\n");
            write(root, d + "broadcast", "ff:ff:ff:ff:ff:ff\n");
            write(root, d + "operstate", up ? "up\n" : "down\n");
            write(root, d + "mtu", dev.equals("lo") ? "65536\n" : "1500\n");
            write(root, d + "flags", up ? "0x1003\n" : "0x1002\n");
            write(root, d + "ifindex", dev.length() + "\n");
            write(root, d + "iflink", dev.length() + "\n");
            write(root, d + "type", dev.equals("lo") ? "772\n" : "1\n");
            write(root, d + "tx_queue_len", "1000\n");
            write(root, d + "addr_assign_type", "0\n");
            write(root, d + "dev_id", "0x0\n");
            write(root, d + "link_mode", "0\n");
            write(root, d + "netdev_group", "0\n");
            write(root, d + "ifalias", dev.equals("eth0") ? "uplink to sw1\n" : "\n");
            if (up) {                                                      // a down link's carrier, dormant and speed read EINVAL: absent
                write(root, d + "carrier", "1\n");
                write(root, d + "dormant", "0\n");
                write(root, d + "carrier_changes", "3\n");
                write(root, d + "carrier_up_count", "2\n");
                write(root, d + "carrier_down_count", "1\n");
            }
            if (dev.equals("eth0")) {
                write(root, d + "speed", "10000\n");
                write(root, d + "duplex", "full\n");
                write(root, d + "name_assign_type", "4\n");
            }
        }
        write(root, "class/hwmon/hwmon0/name", "acpitz\n");
        write(root, "class/hwmon/hwmon0/temp1_input", "27800\n");
        write(root, "class/hwmon/hwmon0/temp1_crit", "105000\n");
        write(root, "class/hwmon/hwmon1/name", "nct6779\n");
        write(root, "class/hwmon/hwmon1/temp1_input", "41000\n");
        write(root, "class/hwmon/hwmon1/temp1_label", "SYSTIN\n");
        write(root, "class/hwmon/hwmon1/temp1_max", "80000\n");
        write(root, "class/hwmon/hwmon1/fan2_input", "1250\n");
        write(root, "class/hwmon/hwmon1/fan2_min", "300\n");
        write(root, "class/hwmon/hwmon1/fan2_alarm", "0\n");
        write(root, "class/hwmon/hwmon1/in0_input", "1032\n");
        write(root, "class/hwmon/hwmon1/in0_max", "1744\n");
        write(root, "class/hwmon/hwmon1/power1_input", "35000000\n");
        write(root, "class/hwmon/hwmon1/curr1_input", "1500\n");
        write(root, "class/hwmon/hwmon1/pwm1", "128\n");
        write(root, "class/hwmon/hwmon1/pwm1_enable", "2\n");
        write(root, "class/hwmon/hwmon1/beep_enable", "1\n");
        // a chip named by its device's sysfs path (platform_coretemp_0), with its sensors in the device directory
        write(root, "devices/platform/coretemp.0/temp2_input", "52000\n");
        write(root, "devices/platform/coretemp.0/temp2_label", "Core 0\n");
        write(root, "class/hwmon/hwmon2/name", "coretemp\n");
        Files.createSymbolicLink(root.resolve("class/hwmon/hwmon2/device"), Path.of("../../../devices/platform/coretemp.0"));
        write(root, "class/thermal/thermal_zone0/type", "x86_pkg_temp\n");
        write(root, "class/thermal/thermal_zone0/temp", "45000\n");
        write(root, "class/thermal/thermal_zone0/policy", "step_wise\n");
        write(root, "class/thermal/thermal_zone1/type", "acpitz\n");
        write(root, "class/thermal/thermal_zone1/temp", "27800\n");
        write(root, "class/thermal/thermal_zone1/policy", "step_wise\n");
        write(root, "class/thermal/cooling_device0/type", "Processor\n");
        write(root, "class/thermal/cooling_device0/cur_state", "0\n");
        write(root, "class/thermal/cooling_device0/max_state", "3\n");
        return root;
    }

    public static Path udev(Path root) throws IOException {
        write(root, "b8:0", """
                S:disk/by-id/ata-Samsung_SSD_860_EVO_S3Z1NB0K123456
                E:ID_PATH=pci-0000:00:1f.2-ata-1
                E:ID_WWN=0x5002538e40a1b2c3
                E:ID_MODEL=Samsung_SSD_860_EVO_500GB
                E:ID_SERIAL_SHORT=S3Z1NB0K123456
                E:ID_REVISION=RVT02B6Q
                E:ID_TYPE=disk
                """);
        return root;
    }
}
