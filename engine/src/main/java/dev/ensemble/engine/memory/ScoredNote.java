package dev.ensemble.engine.memory;

/** A search hit: higher scores match more and rarer query terms. */
public record ScoredNote(Note note, double score) {}
