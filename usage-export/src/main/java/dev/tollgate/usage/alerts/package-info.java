/**
 * Alerts: signed webhooks sent once each time a watched value crosses its threshold.
 *
 * <ul>
 *   <li>{@link dev.tollgate.usage.alerts.ThresholdWatch} is the generic mechanism: per kind of alert and key, a
 *       value that falls to or below its threshold fires once, and the key is re-armed when the value rises
 *       above it again. The low-balance alert uses it with balances, the allowance-used-up alert with the
 *       remaining allowance (keyed by account and period) and a threshold of zero or more.</li>
 *   <li>{@link dev.tollgate.usage.alerts.CrossingStore} keeps per key whether it is armed or fired: in the JVM
 *       ({@link dev.tollgate.usage.alerts.CrossingStore#inMemory}), or in PostgreSQL
 *       ({@link dev.tollgate.usage.alerts.PostgresCrossingStore}) so that the nodes of a cluster send each alert
 *       once per crossing between them, also across restarts.</li>
 *   <li>{@link dev.tollgate.usage.alerts.BalanceAlerts} watches account balances (a default threshold and
 *       per-account ones) and sends {@value dev.tollgate.usage.alerts.BalanceAlerts#LOW_BALANCE} alerts;
 *       optionally remaining allowances, sending {@value dev.tollgate.usage.alerts.BalanceAlerts#ALLOWANCE_USED_UP}
 *       alerts.</li>
 *   <li>{@link dev.tollgate.usage.alerts.WebhookDelivery} POSTs an alert with an HMAC-SHA256 signature
 *       ({@link dev.tollgate.usage.alerts.WebhookSigner}) and retries it with back-off.</li>
 * </ul>
 */
package dev.tollgate.usage.alerts;
