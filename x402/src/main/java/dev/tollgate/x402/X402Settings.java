package dev.tollgate.x402;

import dev.tollgate.spi.payment.ClaimStore;
import dev.tollgate.spi.payment.SchemeContext;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The x402 scheme's configuration: the facilitator, the defaults every endpoint starts from, where
 * claims live, the clock, and what the facilitator supports (filled once it answered
 * {@code /supported}). Immutable but for that set, which only grows.
 *
 * @param facilitator the facilitator client, or {@code null} when out of service
 * @param network the default network
 * @param asset the default asset
 * @param payTo the default receiving address, or {@code null}
 * @param maxTimeoutSeconds the default settlement timeout
 * @param paymentIdRetention how long a payment identifier's record is kept
 * @param store where claims live, or {@code null} until started
 * @param clock the clock, or {@code null} until started
 * @param disabledReason why the scheme is out of service, or {@code null}
 * @param supported {@code "<version>:<scheme>:<network>"} kinds the facilitator supports
 * @param resourceBase the public base URL of resource URLs ({@code scheme://host[:port]}, no
 *     trailing slash), or {@code null} to use the address the request came in on
 */
record X402Settings(Facilitator facilitator, String network, X402Asset asset, String payTo, int maxTimeoutSeconds,
                    Duration paymentIdRetention, ClaimStore store, Clock clock, String disabledReason,
                    Set<String> supported, String resourceBase) {

    private static final System.Logger LOG = System.getLogger(X402Scheme.class.getName());

    /** {@return settings of a scheme out of service, for this reason} */
    static X402Settings disabled(String reason) {
        return new X402Settings(null, null, null, null, 60, Duration.ofDays(1), null, Clock.systemUTC(), reason,
                ConcurrentHashMap.newKeySet(), null);
    }

    /**
     * The settings once Tollgate started: the clock given in code, else Tollgate's; the store
     * given in code, else the ledger's claim store, else one in memory.
     */
    X402Settings started(SchemeContext context) {
        if (disabledReason != null) {
            return this;
        }
        ClaimStore s = store;
        if (s == null) {
            s = context.ledger() == null ? null : context.ledger().claimStore().orElse(null);
            LOG.log(System.Logger.Level.INFO, "x402 claims: {0}", s == null ? "in memory"
                    : "in the ledger's store (" + s + ")");
        }
        return new X402Settings(facilitator, network, asset, payTo, maxTimeoutSeconds, paymentIdRetention,
                s != null ? s : new MemoryClaimStore(X402Parameters.DEFAULT_MAX_RECORDS),
                clock != null ? clock : context.clock(), null, supported, resourceBase);
    }
}
