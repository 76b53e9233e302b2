/**
 * Ledgers that ship with Tollgate. {@link dev.tollgate.ledger.InMemoryLedger} is exact and
 * thread-safe, for development, tests and single-node deployments whose balances may be lost on
 * restart.
 */
package dev.tollgate.ledger;
