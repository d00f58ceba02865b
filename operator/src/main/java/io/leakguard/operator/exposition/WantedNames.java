package io.leakguard.operator.exposition;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;

/**
 * The metric names a parse keeps, matched against a line's name in place: a scrape's hundreds of lines
 * are mostly names nobody wants, and turning each into a String to look it up in a set was the
 * operator's largest CPU cost after the HTTP client at thousands of pods. Names are grouped by length,
 * so most lines are refused on their length alone, and the rest by their characters, without allocating.
 */
public final class WantedNames implements Predicate<String> {

    private final String[][] byLength;

    private WantedNames(String[][] byLength) {
        this.byLength = byLength;
    }

    public static WantedNames of(Collection<String> names) {
        int longest = 0;
        for (String name : names) {
            longest = Math.max(longest, name.length());
        }
        List<List<String>> groups = new ArrayList<>();
        for (int i = 0; i <= longest; i++) {
            groups.add(new ArrayList<>());
        }
        for (String name : names) {
            if (!groups.get(name.length()).contains(name)) {
                groups.get(name.length()).add(name);
            }
        }
        String[][] byLength = new String[longest + 1][];
        for (int i = 0; i <= longest; i++) {
            byLength[i] = groups.get(i).toArray(String[]::new);
        }
        return new WantedNames(byLength);
    }

    /** The wanted name equal to {@code text[start, end)}, or null when it is not wanted. */
    public String match(CharSequence text, int start, int end) {
        int length = end - start;
        if (length >= byLength.length) {
            return null;
        }
        for (String name : byLength[length]) {
            if (sameChars(name, text, start, length)) {
                return name;
            }
        }
        return null;
    }

    @Override
    public boolean test(String name) {
        return match(name, 0, name.length()) != null;
    }

    private static boolean sameChars(String name, CharSequence text, int start, int length) {
        // From the end: names of one length mostly share their prefix (go_memstats_...).
        for (int i = length - 1; i >= 0; i--) {
            if (name.charAt(i) != text.charAt(start + i)) {
                return false;
            }
        }
        return true;
    }
}
