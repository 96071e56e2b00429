package dev.ensemble.engine.store;

/** What {@code ensemble usage --by} groups ledger rows by. {@link #DAY} is the UTC date. */
public enum UsageGrouping { MODEL, DAY, ROLE, PROVIDER, COMMAND }
