/**
 * Events of runs, persisted with a growing id before they are published: the spine of every live
 * view (the daemon's SSE stream, {@code ensemble attach}).
 */
package dev.ensemble.engine.event;
