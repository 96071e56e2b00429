package dev.ensemble.engine.report;

/** What the run cost against every call at the premium planner's prices ({@code baselineModel}). */
public record Saving(String baselineModel, double actualUsd, double baselineUsd, double percent) {
}
