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
 * Every type here is chosen in one order: an instance given to {@link dev.tollgate.TollgateConfig.Builder};
 * the servlet-context attribute named after the interface (such as
 * {@value dev.tollgate.Tollgate#LEDGER_ATTRIBUTE}); the class named by its {@code tollgate.*}
 * parameter; its CDI bean; its {@link java.util.ServiceLoader} entry; else the default (for the
 * ledger an empty {@link dev.tollgate.ledger.InMemoryLedger}, with a warning in the log). The
 * README's "Component lookup" is the full description.
 *
 * <h2>Parameters of modules</h2>
 * A module that reads {@code tollgate.*} parameters of its own declares them with
 * {@link dev.tollgate.spi.ParameterNames}, so that Tollgate's check for unknown parameters accepts
 * them only when the module is present.
 */
package dev.tollgate.spi;
