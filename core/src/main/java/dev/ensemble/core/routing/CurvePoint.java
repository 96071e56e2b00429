package dev.ensemble.core.routing;

/** One routing of the test half: the share of prompts sent to the strong model, total cost, and share answered correctly. */
public record CurvePoint(double strongShare, double costUsd, double quality) {}
