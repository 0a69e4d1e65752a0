package check;

//SOURCES ../host/Facts.java

import host.Facts;
import java.util.List;

/** What the local checks read, once per run however many checks ask (each under its own lock). */
public final class LocalFacts {
    private final Facts facts = new Facts();
    private final Object processLock = new Object(), memoryLock = new Object();
    private List<Facts.Proc> processes;
    private Facts.Memory memory;

    /** The kernel's host name (no DNS lookup). */
    public String hostname() {
        return facts.hostname();
    }

    public List<Facts.Proc> processes() {
        synchronized (processLock) {
            if (processes == null) processes = facts.processList(null);
            return processes;
        }
    }

    public Facts.Memory memory() {
        synchronized (memoryLock) {
            if (memory == null) memory = facts.memoryUsage();
            return memory;
        }
    }

    /** Load averages over 1, 5 and 15 minutes. */
    public double[] loadAverage() {
        return facts.loadAverage();
    }

    public int logicalCpus() {
        return facts.logicalCpus();
    }
}
