/**
 * The stampede client ({@code ./stampede client}): many TCP connections, each sending the
 * wall-clock time in milliseconds on a fixed schedule, from one event-loop thread or a few
 * ({@code --loops}).
 *
 * <h2>How it fits together</h2>
 * <ul>
 *   <li>{@link dev.stampede.client.LoadClient} starts {@code --loops} {@link dev.stampede.client.ClientLoop}
 *       threads (an NIO selector each; one by default), never a thread per connection. Loop j of
 *       L owns connections j, j + L, j + 2L, ...; a {@link dev.stampede.client.ClientLoops} starts
 *       their schedules at one instant, merges their stats (one status line, one summary, one
 *       histogram log) and shares the record file, a batch at a time.</li>
 *   <li>{@link dev.stampede.client.Schedule}: the k-th send of connection i is due at
 *       {@code start + k × interval + phase(i)}, computed, never accumulated (no drift). Phases
 *       ascend with i, so the global order is a round robin: O(1) per send, no heap. Ticks overdue
 *       by an interval or more (a pause) are skipped and counted, never sent as a burst.</li>
 *   <li>The loop ({@link dev.stampede.client.ScheduleRun}) sleeps until the next due send: {@code Selector.select} for whole milliseconds
 *       (handling socket events), {@code LockSupport.parkNanos} for the sub-millisecond rest.
 *       Sends due within a short window after it share the wake-up
 *       ({@link dev.stampede.client.Schedule#wakeAt}); each keeps its own due time.</li>
 *   <li>{@link dev.stampede.client.ReplayRing}, one per connection: its recent values as 2-byte
 *       deltas ({@code ceil(replay / interval) + 1} of them, plus a backlog of
 *       {@value dev.stampede.client.ClientConfig#BACKLOG_VALUES}), both the replay memory sent
 *       again after a reconnect and the small queue of a socket that is full. 512 bytes a
 *       connection at the defaults; nothing allocated per send.</li>
 *   <li>{@link dev.stampede.client.Sender} formats a connection's unsent lines straight into one
 *       direct buffer and writes them with one {@code write}; a value written in full the first
 *       time is counted as sent and appended to {@code --record}.</li>
 *   <li>{@link dev.stampede.client.Connector}: non-blocking connects, at most 1,024 in flight;
 *       a failed connection waits out a jittered exponential {@link dev.stampede.client.Backoff}
 *       (100 ms to 5 s) in a retry queue (earliest first) while the others carry on.</li>
 *   <li>What the server says ({@code ERR <line> <reason>}) is read by the loop's
 *       {@link dev.stampede.client.Receiver} (a per-connection {@link dev.stampede.client.ReplyReader}
 *       keeps a partial line), counted, and shown at most once a second.</li>
 *   <li>Lateness (send time minus due time) goes to fixed-range HdrHistograms on the loop thread;
 *       counters go out as {@link dev.stampede.stats.ClientStats} snapshots
 *       ({@link dev.stampede.client.LoopStats}).</li>
 * </ul>
 *
 * <p>Every tick is accounted for: {@code sent + missed_late + missed_down + missed_full} is the
 * number of ticks scheduled.
 */
package dev.stampede.client;
