/**
 * Transcripts: every agent and model exchange of a run, kept as append-only JSON Lines under
 * {@code .ensemble/sessions/<run>/}, redacted and written line by line so a kill loses at most the
 * line being written.
 */
package dev.ensemble.engine.transcript;
