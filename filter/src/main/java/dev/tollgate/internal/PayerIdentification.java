package dev.tollgate.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.tollgate.Denial;
import dev.tollgate.TollgateConfig;
import dev.tollgate.spi.Account;
import dev.tollgate.spi.InvalidCredentialsException;
import dev.tollgate.spi.Ledger;
import dev.tollgate.spi.Payer;
import dev.tollgate.spi.PayerResolver;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import java.util.Set;

/**
 * Who pays: the resolver's payer, and what the ledger said about its credential lately (known,
 * vouched for, unknown), so a confirmed key is not looked up on every request and an invented one
 * is answered {@code 401} without asking the ledger again. Thread-safe; the caches are bounded and
 * run on the configured clock, so tests move time instead of sleeping.
 */
final class PayerIdentification {

    /** How long a key the ledger does not know is answered 401 without asking it again. */
    private static final Duration UNKNOWN_KEY_MEMORY = Duration.ofSeconds(10);

    /** How long a confirmed payer is known without asking the ledger again. */
    private static final Duration KNOWN_FOR = Duration.ofMinutes(1);

    /**
     * How long after its last renewal a confirmed credential stays vouched for. Renewed only when
     * its known entry is written (at most {@link #KNOWN_FOR} before any later use), so a key stays
     * vouched for at least 15 minutes after its last use.
     */
    private static final Duration VOUCHED_FOR = Duration.ofMinutes(15).plus(KNOWN_FOR);

    /** A payer the ledger confirmed recently, with its entitlements when known. */
    record Known(Set<String> entitlements) {
    }

    /**
     * An account look-up: the account, or the refusal to send.
     *
     * @param account the account, or {@code null} when refused
     * @param refusal the refusal, or {@code null}
     */
    record Lookup(Account account, Denial refusal) {
    }

    private final TollgateConfig config;
    private final PayerResolver resolver;
    private final Ledger ledger;
    private final Reservations reservations;
    /** Credentials the ledger confirmed within the last minute, with their entitlements when known. */
    private final Cache<String, Known> knownPayers;
    /**
     * Credentials the ledger confirmed within the last 15 minutes (of use): their confirmation is
     * renewed without spending their client address's look-up budget, so a flood of invented keys
     * from a shared address cannot lock out keys already in use there. Only a real key gets in.
     */
    private final Cache<String, Boolean> vouchedPayers;
    /**
     * Credentials the ledger said it does not know, for a few seconds: a key repeated is answered
     * {@code 401} again with no look-up and no budget spent. Short, so a new account works soon.
     */
    private final Cache<String, Boolean> unknownPayers;

    PayerIdentification(TollgateConfig config, PayerResolver resolver, Ledger ledger, Reservations reservations) {
        this.config = config;
        this.resolver = resolver;
        this.ledger = ledger;
        this.reservations = reservations;
        Ticker ticker = config.clock() == null ? Ticker.systemTicker() : () -> config.clock().millis() * 1_000_000L;
        this.knownPayers = Caffeine.newBuilder().ticker(ticker)
                .maximumSize(100_000).expireAfterWrite(KNOWN_FOR).build();
        this.vouchedPayers = Caffeine.newBuilder().ticker(ticker)
                .maximumSize(100_000).expireAfterAccess(VOUCHED_FOR).build();
        this.unknownPayers = Caffeine.newBuilder().ticker(ticker)
                .maximumSize(10_000).expireAfterWrite(UNKNOWN_KEY_MEMORY).build();
    }

    /**
     * {@return the payer of a request, or {@code null} when it sent no credential}
     *
     * @param request the request
     * @throws InvalidCredentialsException if the credential is malformed
     */
    Payer resolve(HttpServletRequest request) throws InvalidCredentialsException {
        return resolver.resolve(request).orElse(null);
    }

    /** Keys and tokens need the ledger's confirmation; container principals are authenticated already. */
    static boolean needsConfirmation(Payer payer) {
        return payer.source() == Payer.Source.API_KEY || payer.source() == Payer.Source.BEARER_TOKEN;
    }

    /** {@return what the ledger confirmed about this payer within the last minute, or {@code null}} */
    Known known(Payer payer) {
        return knownPayers.getIfPresent(payer.accountId());
    }

    /** {@return whether the ledger said within seconds that it does not know this credential} */
    boolean knownUnknown(Payer payer) {
        return unknownPayers.getIfPresent(payer.accountId()) != null;
    }

    /** {@return whether the ledger confirmed this credential within the last 15 minutes of use} */
    boolean vouched(Payer payer) {
        return vouchedPayers.getIfPresent(payer.accountId()) != null;
    }

    /**
     * Remembers that the ledger confirmed a payer.
     *
     * @param payer the payer
     * @param entitlements its entitlements, or {@code null} when not looked up
     */
    void verified(Payer payer, Set<String> entitlements) {
        Known current = knownPayers.getIfPresent(payer.accountId());
        if (entitlements == null && current != null) {
            // Every paid request of a known key comes here. Its vouched entry was renewed when this
            // known entry was written, less than KNOWN_FOR ago, and lives VOUCHED_FOR after that:
            // more than 15 minutes from now still, so no second cache read per paid request.
            return;
        }
        knownPayers.put(payer.accountId(), new Known(entitlements));
        // A read renews an entry that expires after access as a write would, at a fraction of the
        // cost (no write buffer, no eviction pass).
        if (needsConfirmation(payer) && vouchedPayers.getIfPresent(payer.accountId()) == null) {
            vouchedPayers.put(payer.accountId(), Boolean.TRUE);
        }
    }

    private void unknown(Payer payer) {
        if (needsConfirmation(payer)) {
            knownPayers.invalidate(payer.accountId());
            vouchedPayers.invalidate(payer.accountId());
            unknownPayers.put(payer.accountId(), Boolean.TRUE);
        }
    }

    /**
     * Looks up a payer's account: {@code 401} for an unknown account, {@code 503} when the ledger
     * fails. May block on the ledger.
     *
     * @param payer the identified payer
     * @return the account, or the refusal
     */
    Lookup account(Payer payer) {
        java.util.Optional<Account> account;
        try {
            account = ledger.account(payer.accountId());
        } catch (RuntimeException e) {
            reservations.ledgerFailed("account", e);
            return new Lookup(null, Refusals.accountServiceUnavailable(config.ledgerRetryAfter()));
        }
        if (account.isEmpty()) {
            unknown(payer);
            return new Lookup(null, Refusals.unknownAccount());
        }
        verified(payer, account.get().entitlements());
        return new Lookup(account.get(), null);
    }
}
