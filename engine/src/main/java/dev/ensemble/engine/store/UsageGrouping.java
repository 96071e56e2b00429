package dev.ensemble.engine.store;

/**
 * What {@code ensemble usage --by} groups ledger rows by. {@link #DAY} is the UTC date; {@link #KEY}
 * the public id of the gateway key a call came with and {@link #WIRE} the wire its client spoke
 * (both empty for ensemble's own calls).
 */
public enum UsageGrouping { MODEL, DAY, ROLE, PROVIDER, COMMAND, KEY, WIRE }
