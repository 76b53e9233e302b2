/**
 * What an application implements to plug into Tollgate: where money and entitlements live
 * ({@link dev.tollgate.spi.Ledger}, or just {@link dev.tollgate.spi.Balances} for balances it
 * already keeps, wrapped in a {@link dev.tollgate.ledger.BalanceLedger}), who is paying ({@link dev.tollgate.spi.PayerResolver}) and
 * what a refusal looks like ({@link dev.tollgate.spi.DenialRenderer}).
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>Implementations are called concurrently from request threads and must be thread-safe.</li>
 *   <li>Calls may block (a database round trip), but should be bounded: Tollgate runs them on the
 *       request thread, and a hung ledger holds that thread.</li>
 *   <li>A ledger that cannot answer throws {@link dev.tollgate.spi.LedgerUnavailableException};
 *       Tollgate then answers {@code 503} with {@code Retry-After} and never lets the request through
 *       for free (payments fail closed). Any other runtime exception is treated the same way and
 *       logged as a ledger defect.</li>
 *   <li>Values passed in and out are immutable records; amounts are exact
 *       ({@link dev.tollgate.Money}), never {@code double}.</li>
 * </ul>
 *
 * <h2>Discovery</h2>
 * The filter picks its ledger in this order: an instance given to
 * {@link dev.tollgate.TollgateConfig.Builder#ledger}; a {@code Ledger} object stored in the
 * servlet context attribute {@value dev.tollgate.Tollgate#LEDGER_ATTRIBUTE} (by a
 * {@code ServletContextListener}, a CDI producer, …); the class named by the {@code tollgate.ledger}
 * parameter; a single {@code Ledger} found by {@link java.util.ServiceLoader}; else an empty
 * {@link dev.tollgate.ledger.InMemoryLedger}, with a warning in the log.
 *
 * <h2>Parameters of modules</h2>
 * A module that reads {@code tollgate.*} parameters of its own declares them with
 * {@link dev.tollgate.spi.ParameterNames}, so that Tollgate's check for unknown parameters accepts
 * them only when the module is present.
 */
package dev.tollgate.spi;
