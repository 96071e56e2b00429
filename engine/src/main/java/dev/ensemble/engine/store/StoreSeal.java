package dev.ensemble.engine.store;

/**
 * The SQLite store as one attempt found it ({@link Store#seal}): its file's identity, which write
 * connection was asked, and that connection's {@code data_version}. Without a sandbox ensemble
 * cannot keep an agent from writing the store; it detects it ({@link Store#brokenSeal}), rejects
 * the attempt and says so. The sandbox keeps the file out of the agent's sight instead.
 */
public record StoreSeal(Object fileKey, long generation, long dataVersion) {}
