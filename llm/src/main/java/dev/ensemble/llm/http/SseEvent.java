package dev.ensemble.llm.http;

/** One Server-Sent Event: its {@code event:} name (empty when absent) and its joined {@code data:} lines. */
public record SseEvent(String event, String data) {}
