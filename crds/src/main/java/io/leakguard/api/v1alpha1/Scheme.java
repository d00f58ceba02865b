package io.leakguard.api.v1alpha1;

/** URL scheme for HTTP endpoints on the pod. */
public enum Scheme {
    HTTP, HTTPS
}
