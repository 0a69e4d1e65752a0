package metrics;

//DEPS com.github.oshi:oshi-core:6.10.0

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * The two C library calls the collectors need that Java has no API for: getpagesize(2) (sockstat
 * counts pages) and adjtimex(2) (timex). JNA direct mapping (OSHI's JNA, already a dependency):
 * registered on first use, about a microsecond a call.
 */
final class Libc {
    private Libc() {}

    static {
        Native.register(Libc.class, Platform.C_LIBRARY_NAME);
    }

    private static native int getpagesize();

    private static native int adjtimex(Memory buf);

    /** struct timex on 64-bit Linux: 208 bytes (see adjtimex(2) and linux/timex.h). */
    static final int TIMEX_SIZE = 208;

    static long pageSize() {
        return getpagesize();
    }

    /** Fills {@code buf} (TIMEX_SIZE bytes, modes 0: read only) and returns the clock state (TIME_OK ... TIME_ERROR), or -1. */
    static int adjtimexRead(Memory buf) {
        buf.clear();
        return adjtimex(buf);
    }
}
