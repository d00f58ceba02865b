package io.leakguard.operator.fairness;

import java.util.HashMap;
import java.util.Map;

/**
 * Slots for work that holds a connection or a process (scrapes, dumps), shared by tenants: at most
 * {@code total} in use at once, and at most {@code perTenant} by any one namespace, so that one team's
 * hanging endpoints cannot take every slot and stop the others' detection.
 */
public final class TenantSlots {

    private final int total;
    private final int perTenant;
    private final Map<String, Integer> used = new HashMap<>();
    private int inUse;

    public TenantSlots(int total, int perTenant) {
        if (total < 1 || perTenant < 1) {
            throw new IllegalArgumentException("slots must be at least 1: total=" + total + " perTenant=" + perTenant);
        }
        this.total = total;
        this.perTenant = Math.min(perTenant, total);
    }

    /** Takes a slot for {@code tenant}; null when granted, else why not (to say in status). */
    public synchronized String tryAcquire(String tenant) {
        int mine = used.getOrDefault(tenant, 0);
        if (mine >= perTenant) {
            return "namespace " + tenant + " already holds its share of " + perTenant + " of " + total + " slots";
        }
        if (inUse >= total) {
            return "all " + total + " slots are in use";
        }
        used.put(tenant, mine + 1);
        inUse++;
        return null;
    }

    public synchronized void release(String tenant) {
        int mine = used.getOrDefault(tenant, 0);
        if (mine <= 0) {
            return;
        }
        if (mine == 1) {
            used.remove(tenant);
        } else {
            used.put(tenant, mine - 1);
        }
        inUse--;
    }

    public synchronized int inUse() {
        return inUse;
    }

    public synchronized int inUse(String tenant) {
        return used.getOrDefault(tenant, 0);
    }
}
