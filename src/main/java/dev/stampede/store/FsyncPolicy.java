package dev.stampede.store;

/** When the server asks the OS to put written lines on disk ({@code --fsync}). */
public enum FsyncPolicy {
    /** After every write (every flush interval): a machine crash loses at most the unwritten lines. */
    ALWAYS,
    /** Every fsync interval (default 1 s): a machine crash loses at most about that much. */
    INTERVAL,
    /** Never while running (the OS writes back within ~30 s); still once at a clean stop. */
    NEVER
}
