package dev.stampede.store;

import java.util.concurrent.locks.LockSupport;

/**
 * The end of the store's parked worker threads (the repair, the compressor): each sets its own
 * stop flag, then has its thread woken and waited for here, the pass under way finished.
 */
final class WorkerThreads {
    private WorkerThreads() {
    }

    /** Wakes {@code thread} (if any) from its park and waits until it has ended. */
    static void wakeAndJoin(Thread thread) {
        if (thread == null) {
            return;
        }
        LockSupport.unpark(thread);
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the caller finishes on its own thread anyway
        }
    }
}
