package io.leakguard.operator.state;

import io.javaoperatorsdk.operator.processing.event.ResourceID;

/** What a policy's status shows has changed (new judgements, a dump stored): the controller should write it. */
public record StatusRefresh(ResourceID policy) {
}
