package dev.stampede.metrics;

/**
 * Whether a program can do its job now, for {@code GET /-/ready}: {@code null} when it can (200
 * {@code ready}), else the reason it cannot (503, the reason in the body). Asked by the metrics
 * HTTP thread at each request, so an implementation reads only thread-safe figures (volatile
 * fields, the latest stats snapshot) and never blocks.
 */
@FunctionalInterface
public interface Readiness {
    /** Before the program has said what ready means for it: not ready. */
    Readiness STARTING = () -> "starting";

    /** Why the program is not ready now; {@code null} if it is. */
    String notReadyBecause();
}
