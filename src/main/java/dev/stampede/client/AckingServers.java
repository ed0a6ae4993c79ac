package dev.stampede.client;

import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Which of the client's servers are known to acknowledge: a server is, once it has sent an
 * {@code ACK} on any connection of any loop, and stays so for the run. Only such a server is judged
 * by its silence ({@link Acknowledgements#check}): a server that never acknowledged (an older
 * stampede, a minimal v1 server) may stay quiet forever.
 *
 * <p>Thread-safe: shared by the client's loops; written once per server, read a few times a second.
 */
final class AckingServers {
    private final AtomicIntegerArray known;

    /** @param servers how many servers the client has ({@code --host}) */
    AckingServers(int servers) {
        this.known = new AtomicIntegerArray(servers);
    }

    /** Server {@code server} (its index in {@code --host}) has acknowledged. */
    void learn(int server) {
        if (known.get(server) == 0) {
            known.set(server, 1);
        }
    }

    /** Whether server {@code server} has ever acknowledged. */
    boolean knows(int server) {
        return known.get(server) != 0;
    }
}
