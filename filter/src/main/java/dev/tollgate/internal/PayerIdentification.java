package dev.tollgate.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.tollgate.Denial;
import dev.tollgate.TollgateConfig;
import dev.tollgate.spi.Account;
import dev.tollgate.spi.ApiKey;
import dev.tollgate.spi.KeyLookup;
import dev.tollgate.spi.InvalidCredentialsException;
import dev.tollgate.spi.Ledger;
import dev.tollgate.spi.Payer;
import dev.tollgate.spi.PayerResolver;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * Who pays: the resolver's payer, and what the ledger said about its credential lately (known,
 * vouched for, unknown), so a confirmed key is not looked up on every request and an invented one
 * is answered {@code 401} without asking the ledger again. Thread-safe; the caches are bounded and
 * run on the configured clock, so tests move time instead of sleeping.
 *
 * <p><b>Keys apart from accounts.</b> When the ledger is a {@link KeyLookup}, a key or token is
 * hashed at once and never handed on: the payer's id becomes the key's account id when the key's
 * answer is cached (for {@value KeyLookup#CACHE_SECONDS} seconds per hash), else a marker holding
 * the hash ({@link #PENDING}) that {@link #translate} resolves where the ledger is consulted anyway
 * (the account look-up, which spends the address's look-up budget, or the reservation). A key that
 * is unknown, revoked or expired becomes a marker no account can have ({@link #REFUSED}), so the
 * ledger answers it exactly as an unknown account. Every cache keys on the hash, an account id or a
 * marker, never on the key. The expiry is checked against the clock on every request.
 */
final class PayerIdentification {

    private static final System.Logger LOG = System.getLogger(PayerIdentification.class.getName());

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
    record Lookup(Account account, Denial refusal, Payer payer) {

        Lookup(Account account, Denial refusal) {
            this(account, refusal, null);
        }
    }

    /** Starts the id of a payer whose key hash (the rest of the id) is not looked up yet. */
    static final char PENDING = '\u0002';
    /** Starts the id of a payer whose key (hash: the rest) is unknown, revoked or expired; no account has it. */
    static final char REFUSED = '\u0001';

    private final TollgateConfig config;
    private final PayerResolver resolver;
    private final Ledger ledger;
    /** The ledger's keys, or {@code null} when the credential is the account id. */
    private final KeyLookup keyLookup;
    /** The ledger's answer per key hash: the key, or empty for no such key. */
    private final Cache<KeyHash, Optional<ApiKey>> keysByHash;
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
     * Key hashes the ledger confirmed as usable keys within the last 15 minutes (of use), for a key
     * whose {@value KeyLookup#CACHE_SECONDS} s answer ran out: such a key arrives as a
     * {@link #PENDING} marker, not its account id, and is vouched for by its hash.
     */
    private final Cache<KeyHash, Boolean> vouchedHashes;
    /**
     * Credentials the ledger said it does not know, for a few seconds: a key repeated is answered
     * {@code 401} again with no look-up and no budget spent. Short, so a new account works soon.
     */
    private final Cache<String, Boolean> unknownPayers;

    PayerIdentification(TollgateConfig config, PayerResolver resolver, Ledger ledger, Reservations reservations) {
        this.config = config;
        this.resolver = resolver;
        this.ledger = ledger;
        this.keyLookup = ledger == null ? null : ledger.keyLookup().orElse(null);
        if (ledger != null && keyLookup == null) {
            LOG.log(System.Logger.Level.WARNING, "Tollgate: the ledger {0} offers no API key look-up (it does not"
                    + " implement dev.tollgate.spi.KeyLookup and its keyLookup() is empty), so the credential a caller"
                    + " sends (X-API-Key or bearer token) is used as the account id itself: every account id is then"
                    + " a credential. A ledger decorator must forward Ledger.keyLookup() to the ledger it wraps.",
                    ledger.getClass().getName());
        }
        this.reservations = reservations;
        Ticker ticker = config.clock() == null ? Ticker.systemTicker() : () -> config.clock().millis() * 1_000_000L;
        // Cache upkeep on the calling thread, as in RateLimiter: no pool thread woken per few reads.
        this.knownPayers = Caffeine.newBuilder().ticker(ticker).executor(Runnable::run)
                .maximumSize(100_000).expireAfterWrite(KNOWN_FOR).build();
        this.vouchedPayers = Caffeine.newBuilder().ticker(ticker).executor(Runnable::run)
                .maximumSize(100_000).expireAfterAccess(VOUCHED_FOR).build();
        this.vouchedHashes = Caffeine.newBuilder().ticker(ticker).executor(Runnable::run)
                .maximumSize(100_000).expireAfterAccess(VOUCHED_FOR).build();
        this.unknownPayers = Caffeine.newBuilder().ticker(ticker).executor(Runnable::run)
                .maximumSize(10_000).expireAfterWrite(UNKNOWN_KEY_MEMORY).build();
        this.keysByHash = Caffeine.newBuilder().ticker(ticker).executor(Runnable::run)
                .maximumSize(100_000).expireAfterWrite(Duration.ofSeconds(KeyLookup.CACHE_SECONDS)).build();
    }

    /**
     * {@return the payer of a request, or {@code null} when it sent no credential}
     *
     * @param request the request
     * @throws InvalidCredentialsException if the credential is malformed
     */
    Payer resolve(HttpServletRequest request) throws InvalidCredentialsException {
        Payer payer = resolver.resolve(request).orElse(null);
        if (payer == null || keyLookup == null || !needsConfirmation(payer)) {
            return payer;
        }
        KeyHash hash = KeyHash.of(payer.accountId());
        Optional<ApiKey> cached = keysByHash.getIfPresent(hash);
        return cached == null ? new Payer(PENDING + hash.hex(), payer.source())
                : payerOf(cached, hash, payer.source());
    }

    /**
     * The payer with its key looked up, when {@link #resolve} left the look-up for later. May block on
     * the ledger.
     *
     * @param payer a payer from {@link #resolve}
     * @return the payer named by its account id (or {@link #REFUSED}); the payer itself when it was
     *     resolved already
     * @throws RuntimeException if the ledger cannot answer
     */
    Payer translate(Payer payer) {
        String id = payer.accountId();
        if (keyLookup == null || id.charAt(0) != PENDING) {
            return payer;
        }
        String hex = id.substring(1);
        KeyHash hash = KeyHash.parse(hex);
        if (hash == null) {
            return new Payer(REFUSED + hex, payer.source()); // not a marker resolve() made
        }
        Optional<ApiKey> key = keysByHash.getIfPresent(hash); // looked up by an earlier step of this request
        if (key == null) {
            key = keyLookup.findKey(hex);
            if (key == null || key.isPresent() && !hash.matches(key.get().hash())) {
                key = Optional.empty(); // a ledger that answers with another key's record is not believed
            }
            keysByHash.put(hash, key); // so a cached key is always this hash's: no comparison per request
        }
        Payer found = payerOf(key, hash, payer.source());
        if (found.accountId().charAt(0) == REFUSED) {
            vouchedHashes.invalidate(hash);
        } else if (vouchedHashes.getIfPresent(hash) == null) {
            vouchedHashes.put(hash, Boolean.TRUE);
        }
        return found;
    }

    private Payer payerOf(Optional<ApiKey> key, KeyHash hash, Payer.Source source) {
        // The clock is read only for a key that can expire or has been revoked.
        if (key.isPresent() && (key.get().expiresAt() == null && key.get().revokedAt() == null
                || key.get().usableAt(config.clock() == null ? Instant.now() : config.clock().instant()))) {
            return new Payer(key.get().accountId(), source);
        }
        return new Payer(REFUSED + hash.hex(), source);
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
        String id = payer.accountId();
        if (keyLookup != null && id.charAt(0) == PENDING) {
            KeyHash hash = KeyHash.parse(id.substring(1));
            return hash != null && vouchedHashes.getIfPresent(hash) != null;
        }
        return vouchedPayers.getIfPresent(id) != null;
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
     * @return the account, or the refusal, with the payer as the ledger knows it
     */
    Lookup account(Payer payer) {
        java.util.Optional<Account> account;
        try {
            payer = translate(payer);
            account = payer.accountId().charAt(0) == REFUSED ? java.util.Optional.empty()
                    : ledger.account(payer.accountId());
        } catch (RuntimeException e) {
            reservations.ledgerFailed("account", e);
            return new Lookup(null, Refusals.accountServiceUnavailable(config.ledgerRetryAfter()));
        }
        if (account.isEmpty()) {
            unknown(payer);
            return new Lookup(null, Refusals.unknownAccount(), payer);
        }
        verified(payer, account.get().entitlements());
        return new Lookup(account.get(), null, payer);
    }
}
