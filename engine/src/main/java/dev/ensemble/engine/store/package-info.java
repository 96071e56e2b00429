/**
 * ensemble's state on disk and the usage ledger. {@link dev.ensemble.engine.store.Store} opens
 * SQLite ({@code .ensemble/ensemble.db}, WAL) or PostgreSQL and migrates it with Flyway: SQL that
 * is the same in both lives in {@code db/migration/common}, the rest in {@code db/migration/sqlite}
 * and {@code db/migration/postgresql} under one shared sequence of version numbers.
 * {@link dev.ensemble.engine.store.Ledger} records every model call and sums them for
 * {@code ensemble usage}.
 */
package dev.ensemble.engine.store;
