package dev.tollgate.engine;

/**
 * What the engine decided about a request before its endpoint runs: either an {@link Answer} to
 * send instead of the endpoint (a refusal or a replay: the endpoint must not run, nothing is left to
 * settle), or a {@link Ticket} for a call that may go ahead and must be settled exactly once.
 * Immutable or thread-safe, as the two kinds say.
 */
public sealed interface Admission permits Answer, Ticket {
}
