package net;

import java.util.ArrayList;
import java.util.List;

/** "200-399", "200,204", "2xx": which status codes count as healthy. */
public record StatusSet(String text, List<int[]> ranges) {
    public static StatusSet parse(String text) {
        List<int[]> ranges = new ArrayList<>();
        for (String part : text.split(",")) {
            String p = part.strip().toLowerCase();
            try {
                if (p.matches("[1-5]xx")) {
                    int base = (p.charAt(0) - '0') * 100;
                    ranges.add(new int[] {base, base + 99});
                } else if (p.contains("-")) {
                    String[] ab = p.split("-", 2);
                    ranges.add(new int[] {Integer.parseInt(ab[0].strip()), Integer.parseInt(ab[1].strip())});
                } else {
                    int c = Integer.parseInt(p);
                    ranges.add(new int[] {c, c});
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad status set '" + text + "' (expected e.g. 200-399, 200,204 or 2xx)");
            }
            int[] r = ranges.get(ranges.size() - 1);
            if (r[0] < 100 || r[1] > 599 || r[0] > r[1]) {
                throw new IllegalArgumentException("bad status range '" + part.strip() + "' (codes are 100-599)");
            }
        }
        return new StatusSet(text, ranges);
    }

    public boolean contains(int code) {
        for (int[] r : ranges) if (code >= r[0] && code <= r[1]) return true;
        return false;
    }
}
