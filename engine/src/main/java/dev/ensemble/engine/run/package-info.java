/**
 * The orchestrated run: {@link dev.ensemble.engine.run.Scheduler} walks a plan's DAG with bounded
 * parallelism, hands each task to a {@link dev.ensemble.engine.run.TaskExecutor}, and keeps every
 * state change in the store through {@link dev.ensemble.engine.run.RunStore} before it takes effect,
 * so {@link dev.ensemble.engine.run.Scheduler#resume} finishes a run killed at any point.
 */
package dev.ensemble.engine.run;
