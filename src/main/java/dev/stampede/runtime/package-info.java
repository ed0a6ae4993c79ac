/**
 * One runtime for every loop: an {@link dev.stampede.runtime.Agent} is a loop's duty cycle, an
 * {@link dev.stampede.runtime.AgentRunner} runs it on a thread of its own with one lifecycle, one
 * {@link dev.stampede.runtime.IdleStrategy} and one {@link dev.stampede.runtime.ErrorPolicy};
 * {@link dev.stampede.runtime.Cadence}, {@link dev.stampede.runtime.StatsCadence} and
 * {@link dev.stampede.runtime.FlushSchedule} pace what a loop does on intervals, and
 * {@link dev.stampede.runtime.AsyncLog} takes its log lines without ever blocking it, and writes
 * them with a time and a {@link dev.stampede.runtime.LogLevel}, as text or JSON
 * ({@link dev.stampede.runtime.LogFormat}). Knows nothing of what a loop does.
 */
package dev.stampede.runtime;
