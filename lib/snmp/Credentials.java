package snmp;

//DEPS info.picocli:picocli:4.7.7
//SOURCES ../cli/InputError.java ../cli/Secrets.java

import cli.InputError;
import cli.Secrets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * SNMP credentials: the picocli options (a mixin) and what they resolve to. The user name, level
 * and protocols are argv; the secrets (auth and priv passwords, the v2c community) only come from
 * an environment variable or a file's first line, never from argv where `ps` shows them, and no
 * message ever quotes them. Bad input (a level we do not know, a variable that is not set, a
 * password shorter than the 8 characters RFC 3414 asks for) is an InputError before any packet.
 */
public class Credentials {
    public enum Level { noAuthNoPriv, authNoPriv, authPriv }

    public static final List<String> AUTH = List.of("MD5", "SHA", "SHA-224", "SHA-256", "SHA-384", "SHA-512");
    public static final List<String> PRIV = List.of("DES", "AES", "AES-128", "AES-192", "AES-256");

    @Option(names = "--snmp", paramLabel = "v3|v2c", defaultValue = "v3",
            description = "SNMP version: v3 (USM, the default) or v2c (community, for old gear).")
    public String version;

    @Option(names = {"-u", "--user"}, paramLabel = "NAME",
            description = "SNMPv3 user (a hosts-file line's user@host overrides it).")
    public String user;

    @Option(names = {"-l", "--level"}, paramLabel = "LEVEL", defaultValue = "authPriv",
            description = "SNMPv3 security level: authPriv, authNoPriv or noAuthNoPriv (default: ${DEFAULT-VALUE}).")
    public String level;

    @Option(names = {"-a", "--auth-proto"}, paramLabel = "PROTO", defaultValue = "SHA-256",
            description = "Auth protocol: SHA, SHA-224, SHA-256, SHA-384, SHA-512 (MD5 for old gear) (default: ${DEFAULT-VALUE}).")
    public String authProto;

    @Option(names = "--auth-env", paramLabel = "VAR", description = "Environment variable holding the auth password.")
    public String authEnv;

    @Option(names = "--auth-file", paramLabel = "FILE", description = "File whose first line is the auth password.")
    public Path authFile;

    @Option(names = {"-x", "--priv-proto"}, paramLabel = "PROTO", defaultValue = "AES",
            description = "Privacy protocol: AES (AES-128), AES-192, AES-256 (DES for old gear) (default: ${DEFAULT-VALUE}).")
    public String privProto;

    @Option(names = "--priv-env", paramLabel = "VAR", description = "Environment variable holding the priv password.")
    public String privEnv;

    @Option(names = "--priv-file", paramLabel = "FILE", description = "File whose first line is the priv password.")
    public Path privFile;

    @Option(names = "--community-env", paramLabel = "VAR", description = "v2c: environment variable holding the community.")
    public String communityEnv;

    @Option(names = "--community-file", paramLabel = "FILE", description = "v2c: file whose first line is the community.")
    public Path communityFile;

    /** What the options resolve to; the char arrays are the secrets (toString never shows them). */
    public record Resolved(boolean v3, String user, Level level, String authProto, char[] auth, String privProto,
                           char[] priv, char[] community) {
        @Override public String toString() {
            return v3 ? "SNMPv3 user " + user + " " + level + (auth != null ? " " + authProto : "") + (priv != null ? "/" + privProto : "")
                      : "SNMPv2c";
        }
    }

    /** Checks everything and reads the secrets; an InputError names the option at fault. */
    public Resolved resolve() {
        switch (version.toLowerCase()) {
            case "v2c", "2c", "2" -> {
                char[] community = Secrets.read(communityEnv, communityFile, "--community");
                if (community == null) throw new InputError("--snmp v2c needs --community-env VAR or --community-file FILE (never on the command line)");
                if (community.length == 0) throw new InputError("--community: the community is empty");
                return new Resolved(false, null, null, null, null, null, null, community);
            }
            case "v3", "3" -> { }
            default -> throw new InputError("--snmp " + version + ": expected v3 or v2c");
        }
        Level lvl = Arrays.stream(Level.values()).filter(l -> l.name().equalsIgnoreCase(level)).findFirst()
                .orElseThrow(() -> new InputError("--level " + level + ": expected authPriv, authNoPriv or noAuthNoPriv"));
        String ap = pick(authProto, AUTH, "--auth-proto");
        String pp = pick(privProto, PRIV, "--priv-proto");
        char[] auth = null, priv = null;
        if (lvl != Level.noAuthNoPriv) {
            auth = Secrets.read(authEnv, authFile, "--auth");
            if (auth == null) throw new InputError("--level " + lvl + " needs the auth password: --auth-env VAR or --auth-file FILE (never on the command line)");
            if (auth.length < 8) throw new InputError("--auth: the auth password is shorter than 8 characters (RFC 3414)");
        }
        if (lvl == Level.authPriv) {
            priv = Secrets.read(privEnv, privFile, "--priv");
            if (priv == null) throw new InputError("--level authPriv needs the priv password: --priv-env VAR or --priv-file FILE (never on the command line)");
            if (priv.length < 8) throw new InputError("--priv: the priv password is shorter than 8 characters (RFC 3414)");
        }
        return new Resolved(true, user, lvl, ap, auth, pp, priv, null);
    }

    static String pick(String given, List<String> known, String option) {
        String norm = given.toUpperCase().replace("_", "-");
        if (norm.equals("SHA1") || norm.equals("SHA-1")) norm = "SHA";
        if (norm.equals("SHA224") || norm.equals("SHA256") || norm.equals("SHA384") || norm.equals("SHA512")) norm = "SHA-" + norm.substring(3);
        if (norm.matches("AES\\d+")) norm = "AES-" + norm.substring(3);
        if (norm.equals("AES-128")) norm = "AES";
        if (!known.contains(norm)) throw new InputError(option + " " + given + ": expected one of " + String.join(", ", known));
        return norm;
    }
}
