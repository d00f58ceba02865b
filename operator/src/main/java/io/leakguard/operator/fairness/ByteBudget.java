package io.leakguard.operator.fairness;

import java.util.HashMap;
import java.util.Map;

/**
 * Bytes of response bodies held at once (scrapes, Prometheus answers), shared by tenants: at most
 * {@code total} in all and {@code perTenant} for one namespace. A body grows its reservation as it
 * arrives and gives it back once parsed, so many large answers at once cannot exhaust the heap, and one
 * namespace's cannot take the others' share.
 */
public final class ByteBudget {

    private final long total;
    private final long perTenant;
    private final Map<String, Long> used = new HashMap<>();
    private long inUse;

    public ByteBudget(long total, long perTenant) {
        if (total < 1 || perTenant < 1) {
            throw new IllegalArgumentException("byte budgets must be positive: total=" + total + " perTenant=" + perTenant);
        }
        this.total = total;
        this.perTenant = Math.min(perTenant, total);
    }

    /** No limit: offline use and tests that do not exercise it. */
    public static ByteBudget unlimited() {
        return new ByteBudget(Long.MAX_VALUE, Long.MAX_VALUE);
    }

    /** Reserves {@code bytes} for {@code tenant}; false (and nothing reserved) when over either budget. */
    public synchronized boolean reserve(String tenant, long bytes) {
        long mine = used.getOrDefault(tenant, 0L);
        if (mine + bytes > perTenant || inUse + bytes > total) {
            return false;
        }
        used.put(tenant, mine + bytes);
        inUse += bytes;
        return true;
    }

    public synchronized void release(String tenant, long bytes) {
        long mine = used.getOrDefault(tenant, 0L);
        long given = Math.min(mine, bytes);
        if (mine - given <= 0) {
            used.remove(tenant);
        } else {
            used.put(tenant, mine - given);
        }
        inUse -= given;
    }

    public synchronized long inUse() {
        return inUse;
    }

    public synchronized long inUse(String tenant) {
        return used.getOrDefault(tenant, 0L);
    }

    public long perTenant() {
        return perTenant;
    }
}
