package rollout;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Questions between phases, asked on the terminal (/dev/tty), never on stdin, which may be the
 * hosts file. Without a terminal there is no one to ask: the caller needs --yes.
 */
public final class Confirm {
    private Confirm() {}

    /** True when this process has a terminal to ask on. */
    public static boolean available() {
        try (var tty = new FileInputStream("/dev/tty")) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Asks on /dev/tty; false for anything but y/yes, or when {@code signalled} opens first (Ctrl-C). */
    public static boolean ask(String question, CountDownLatch signalled) {
        String[] answer = {null};
        CountDownLatch said = new CountDownLatch(1);
        Thread.ofVirtual().start(() -> {
            try (var tty = new RandomAccessFile("/dev/tty", "rw")) {
                tty.write(question.getBytes(StandardCharsets.UTF_8));
                answer[0] = tty.readLine();
            } catch (IOException e) {
                answer[0] = null;
            }
            said.countDown();
        });
        try {
            while (!said.await(100, TimeUnit.MILLISECONDS)) if (signalled.getCount() == 0) return false;
        } catch (InterruptedException e) {
            return false;
        }
        return answer[0] != null && answer[0].strip().toLowerCase(Locale.ROOT).matches("y|yes");
    }
}
