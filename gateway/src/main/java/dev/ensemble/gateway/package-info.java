/**
 * The gateway: one HTTP endpoint that speaks every model wire (OpenAI Chat, OpenAI Responses,
 * Anthropic Messages, Gemini) in front of every catalog model. It sits above {@code llm} (whose
 * model stack it calls: retry, breaker, fallback, ledger) and below {@code agents}/{@code engine},
 * so {@code exec} and {@code go} can start one in-process for a run and point every CLI agent at
 * it, and the daemon can mount the same server. Keys, budgets and guards are asked through
 * {@link dev.ensemble.gateway.Gatekeeper}; the server itself knows none of them.
 */
package dev.ensemble.gateway;
