package io.leakguard.operator.diagnostics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The baseline group counts kept per pod life until its trigger dump, bounded by bytes, not entries:
 * a dump of unique stacks is large, and one tenant's pods must not fill the operator's heap. Each
 * baseline keeps its biggest groups up to {@code perBaseline} bytes (a leak is a group that grows, and
 * a diff only ranks groups of the trigger dump), each namespace up to {@code perNamespace} (its oldest
 * baselines go first), and all together up to {@code total}.
 */
final class Baselines {

    private record Entry(String namespace, Map<StackGroups.Signature, Integer> counts, long bytes) {
    }

    private final long perBaseline;
    private final long perNamespace;
    private final long total;
    private final LinkedHashMap<String, Entry> byLife = new LinkedHashMap<>();
    private final Map<String, Long> namespaceBytes = new HashMap<>();
    private long bytes;

    Baselines(long perBaseline, long perNamespace, long total) {
        this.perBaseline = perBaseline;
        this.perNamespace = perNamespace;
        this.total = total;
    }

    /** Keeps a baseline; returns how many groups were dropped to fit its budget. */
    synchronized int put(String namespace, String lifeKey, Map<StackGroups.Signature, Integer> counts) {
        remove(lifeKey);
        List<Map.Entry<StackGroups.Signature, Integer>> biggest = new ArrayList<>(counts.entrySet());
        biggest.sort(Map.Entry.<StackGroups.Signature, Integer>comparingByValue(Comparator.reverseOrder()));
        Map<StackGroups.Signature, Integer> kept = new LinkedHashMap<>();
        long size = 0;
        for (Map.Entry<StackGroups.Signature, Integer> group : biggest) {
            long groupBytes = estimate(group.getKey());
            if (size + groupBytes > perBaseline) {
                break;
            }
            kept.put(group.getKey(), group.getValue());
            size += groupBytes;
        }
        byLife.put(lifeKey, new Entry(namespace, Map.copyOf(kept), size));
        namespaceBytes.merge(namespace, size, Long::sum);
        bytes += size;
        evictOldest(e -> namespaceBytes.getOrDefault(namespace, 0L) > perNamespace && e.namespace().equals(namespace),
                lifeKey);
        evictOldest(e -> bytes > total, lifeKey);
        return counts.size() - kept.size();
    }

    synchronized Map<StackGroups.Signature, Integer> get(String lifeKey) {
        Entry entry = byLife.get(lifeKey);
        return entry == null ? null : entry.counts();
    }

    synchronized boolean contains(String lifeKey) {
        return byLife.containsKey(lifeKey);
    }

    synchronized void retainLives(Set<String> lifeKeys) {
        for (String key : List.copyOf(byLife.keySet())) {
            if (!lifeKeys.contains(key)) {
                remove(key);
            }
        }
    }

    synchronized long bytes() {
        return bytes;
    }

    synchronized long bytes(String namespace) {
        return namespaceBytes.getOrDefault(namespace, 0L);
    }

    private void evictOldest(Predicate<Entry> over, String keep) {
        Iterator<Map.Entry<String, Entry>> it = byLife.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, Entry> eldest = it.next();
            if (!over.test(eldest.getValue())) {
                continue;
            }
            if (eldest.getKey().equals(keep)) {
                continue;
            }
            it.remove();
            account(eldest.getValue());
        }
    }

    private void remove(String lifeKey) {
        Entry gone = byLife.remove(lifeKey);
        if (gone != null) {
            account(gone);
        }
    }

    private void account(Entry gone) {
        bytes -= gone.bytes();
        namespaceBytes.computeIfPresent(gone.namespace(), (ns, b) -> b - gone.bytes() <= 0 ? null : b - gone.bytes());
    }

    /** Roughly what a signature holds on the heap: its strings (two bytes a char, as a bound) and objects. */
    static long estimate(StackGroups.Signature signature) {
        long size = 96 + 2L * (length(signature.state()) + length(signature.createdBy()) + length(signature.blockedOn()));
        for (Frame frame : signature.frames()) {
            size += 64 + 2L * (length(frame.function()) + length(frame.location()));
        }
        return size;
    }

    private static int length(String s) {
        return s == null ? 0 : s.length();
    }
}
