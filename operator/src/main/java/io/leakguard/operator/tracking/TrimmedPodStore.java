package io.leakguard.operator.tracking;

import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.processing.event.source.informer.TransformingItemStore;

/**
 * The pod informer's store: every Pod trimmed ({@link PodTrim}) as it is cached, and the informer's
 * first list announced from the store, trimmed, rather than as read.
 *
 * <p>The informer announces the pods of its first list once the list is done, from its store, only when
 * the store says it holds whole objects; JOSDK's transforming store says it does not, so every pod of the
 * list was queued for the event handler as the API server sent it, untrimmed. At 10,000 pods the queue
 * held some 8,000 whole Pods (volumes, environment, managed fields) at once, and the live heap went from
 * 130 to 260 MiB for the first half-minute: more than a 512 MiB container's heap. The handler reads
 * only what the trimmed Pod keeps (namespace, labels, owners), so the trimmed one serves it.
 */
public final class TrimmedPodStore extends TransformingItemStore<Pod> {

    public TrimmedPodStore() {
        super(PodTrim::trim);
    }

    @Override
    public boolean isFullState() {
        return true;
    }
}
