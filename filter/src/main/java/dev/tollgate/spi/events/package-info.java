/**
 * The event SPI: a {@link dev.tollgate.spi.events.TollgateListener} hears every decision Tollgate
 * makes, as a {@link dev.tollgate.spi.events.TollgateEvent} (passed, admitted, refused, limited,
 * shadow-limited, replayed, charged, released, ledger and store calls and failures, settlement
 * retries). Listeners are for metrics, usage export and alerts; they never change a decision,
 * and a listener that throws or blocks never breaks or slows a request (see
 * {@link dev.tollgate.spi.events.AsyncTollgateListener}).
 */
package dev.tollgate.spi.events;
