package snmp;

//SOURCES ../cli/InputError.java ../cli/Words.java

import cli.InputError;
import cli.Words;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The OID names operators ask for most, without MIB files: system (sysDescr, sysUpTime, ...),
 * ifTable and ifXTable columns (ifDescr, ifOperStatus, ifHCInOctets, ...) and hrStorage. A name may
 * carry an instance suffix (sysDescr.0, ifDescr.2); numeric OIDs (1.3.6.1.2.1.1.5.0, with or
 * without a leading dot) always work. Anything else is an InputError before a packet is sent.
 */
public final class Oids {
    private Oids() {}

    /** Name to dotted OID; tables point at their table OID, columns at the column. */
    static final Map<String, String> NAMES = new LinkedHashMap<>();
    /** Table name to its entry OID (table.1), for splitting a walk into columns. */
    static final Map<String, String> TABLES = new LinkedHashMap<>();
    /** Dotted OID to its name (the first name given for it), for naming every value a walk returns. */
    static final Map<String, String> BY_OID = new java.util.HashMap<>();

    static {
        String sys = "1.3.6.1.2.1.1";
        NAMES.put("system", sys);
        String[] system = {"sysDescr", "sysObjectID", "sysUpTime", "sysContact", "sysName", "sysLocation", "sysServices"};
        for (int i = 0; i < system.length; i++) NAMES.put(system[i], sys + "." + (i + 1));
        NAMES.put("interfaces", "1.3.6.1.2.1.2");
        NAMES.put("ifNumber", "1.3.6.1.2.1.2.1");
        table("ifTable", "1.3.6.1.2.1.2.2", "ifIndex", "ifDescr", "ifType", "ifMtu", "ifSpeed", "ifPhysAddress",
                "ifAdminStatus", "ifOperStatus", "ifLastChange", "ifInOctets", "ifInUcastPkts", "ifInNUcastPkts",
                "ifInDiscards", "ifInErrors", "ifInUnknownProtos", "ifOutOctets", "ifOutUcastPkts", "ifOutNUcastPkts",
                "ifOutDiscards", "ifOutErrors", "ifOutQLen", "ifSpecific");
        table("ifXTable", "1.3.6.1.2.1.31.1.1", "ifName", "ifInMulticastPkts", "ifInBroadcastPkts", "ifOutMulticastPkts",
                "ifOutBroadcastPkts", "ifHCInOctets", "ifHCInUcastPkts", "ifHCInMulticastPkts", "ifHCInBroadcastPkts",
                "ifHCOutOctets", "ifHCOutUcastPkts", "ifHCOutMulticastPkts", "ifHCOutBroadcastPkts",
                "ifLinkUpDownTrapEnable", "ifHighSpeed", "ifPromiscuousMode", "ifConnectorPresent", "ifAlias",
                "ifCounterDiscontinuityTime");
        NAMES.put("hrStorage", "1.3.6.1.2.1.25.2");
        NAMES.put("hrMemorySize", "1.3.6.1.2.1.25.2.2");
        table("hrStorageTable", "1.3.6.1.2.1.25.2.3", "hrStorageIndex", "hrStorageType", "hrStorageDescr",
                "hrStorageAllocationUnits", "hrStorageSize", "hrStorageUsed", "hrStorageAllocationFailures");
        NAMES.forEach((name, oid) -> BY_OID.putIfAbsent(oid, name));
    }

    private static void table(String name, String oid, String... columns) {
        NAMES.put(name, oid);
        TABLES.put(name, oid + ".1");
        for (int i = 0; i < columns.length; i++) NAMES.put(columns[i], oid + ".1." + (i + 1));
    }

    private static final Pattern NUMERIC = Pattern.compile("\\.?\\d+(\\.\\d+)*");
    private static final Pattern NAMED = Pattern.compile("([A-Za-z][A-Za-z0-9]*)((\\.\\d+)*)");

    /** "sysDescr.0", "ifTable", ".1.3.6.1.2.1.1.5.0" to a dotted OID; an InputError names what is wrong. */
    public static String resolve(String text) {
        if (NUMERIC.matcher(text).matches()) {
            String dotted = text.startsWith(".") ? text.substring(1) : text;
            String[] arcs = dotted.split("\\.");
            if (arcs.length < 2) throw new InputError("OID " + text + ": a numeric OID needs at least two arcs (1.3.6...)");
            int first = parseArc(text, arcs[0]);
            if (first > 2) throw new InputError("OID " + text + ": the first arc must be 0, 1 or 2");
            for (String a : arcs) parseArc(text, a);
            return dotted;
        }
        var m = NAMED.matcher(text);
        if (!m.matches()) {
            if (text.matches("[0-9.]+")) throw new InputError("OID " + text + ": malformed numeric OID (empty arc)");
            throw new InputError("OID " + text + ": expected a name (sysDescr.0, ifTable) or a numeric OID (1.3.6.1.2.1.1.1.0)");
        }
        String oid = NAMES.get(m.group(1));
        if (oid == null) {
            String near = Words.nearest(m.group(1), NAMES.keySet());
            throw new InputError("OID " + text + ": unknown name" + (near != null ? "; did you mean " + near + "?"
                    : " (known without MIB files: system, ifTable, ifXTable, hrStorageTable and their columns; numeric OIDs always work)"));
        }
        return oid + m.group(2);
    }

    private static int parseArc(String text, String arc) {
        if (arc.isEmpty()) throw new InputError("OID " + text + ": malformed numeric OID (empty arc)");
        try {
            long v = Long.parseLong(arc);
            if (v > 4294967295L) throw new InputError("OID " + text + ": arc " + arc + " is larger than 2^32-1");
            return (int) Math.min(v, Integer.MAX_VALUE);
        } catch (NumberFormatException e) {
            throw new InputError("OID " + text + ": arc " + arc + " is not a number");
        }
    }

    /** Whether {@code text} looks like an OID argument (a known name, a name with a suffix, or digits and dots). */
    public static boolean looksLikeOid(String text) {
        if (text.matches("\\.?[0-9][0-9.]*")) return true;
        var m = NAMED.matcher(text);
        return m.matches() && NAMES.containsKey(m.group(1));
    }

    /**
     * The entry OID (table.1) if {@code oid} is one of our tables, or the entry a column belongs to;
     * a numeric OID we have no name for is taken as a table (entry OID.1); null for named non-tables.
     */
    public static String entryOf(String oid) {
        for (String e : TABLES.values()) {
            String table = e.substring(0, e.length() - 2);
            if (oid.equals(table) || oid.equals(e)) return e;
            if (oid.startsWith(e + ".") && oid.substring(e.length() + 1).indexOf('.') < 0) return e;
        }
        if (!name(oid).equals(oid)) return null;          // a named scalar or group: not a table
        return oid + ".1";                                // a numeric table OID: its entry is OID.1

    }

    /** The best name for a dotted OID: "sysDescr.0", "ifDescr.2", else the OID itself. */
    public static String name(String oid) {
        String best = null, bestOid = oid;
        while (true) {                       // the longest known prefix that ends at an arc boundary
            best = BY_OID.get(bestOid);
            if (best != null) break;
            int dot = bestOid.lastIndexOf('.');
            if (dot < 0) return oid;
            bestOid = bestOid.substring(0, dot);
        }
        if (TABLES.containsKey(best) || best.equals("system") || best.equals("interfaces") || best.equals("hrStorage")) return oid;
        return best + oid.substring(bestOid.length());
    }

    /** A value that is binary by definition (ifPhysAddress: a MAC such as 5a:c9:a8:09:43:65 is also valid UTF-8 text). */
    public static boolean isBinary(String oid) {
        return oid.startsWith("1.3.6.1.2.1.2.2.1.6.");
    }

    /** The column's name ("ifDescr") for a column OID, or the OID itself. */
    public static String columnName(String columnOid) {
        return BY_OID.getOrDefault(columnOid, columnOid);
    }
}
