/**
 * Virtual keys and budgets at the gateway's door: {@link dev.ensemble.gateway.keys.VirtualKeys}
 * (keys made with {@code ensemble keys create}, kept hashed in {@link dev.ensemble.gateway.keys.KeyStore})
 * and {@link dev.ensemble.gateway.keys.BudgetGatekeeper} (the configured daily, run and task budgets).
 */
package dev.ensemble.gateway.keys;
