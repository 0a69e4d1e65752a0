package check;

//SOURCES Status.java

/** A check's {@code severity:}: what a failure that is not a threshold (refused, missing, wrong exit code) counts as. */
public enum Severity {
    warn, crit;

    /** WARN for {@code severity: warn}; CRIT otherwise (also when the plan says nothing). */
    public static Status of(Severity s) {
        return s == warn ? Status.WARN : Status.CRIT;
    }
}
