package dev.tollgate.admin;

import dev.tollgate.Money;
import dev.tollgate.ledger.AccountAdministration;
import dev.tollgate.ledger.InMemoryLedger;
import dev.tollgate.ledger.IssuedKey;
import dev.tollgate.ledger.KeyAdministration;
import dev.tollgate.ledger.KeySecrets;
import dev.tollgate.ledger.LedgerEntry;
import dev.tollgate.spi.Account;
import dev.tollgate.spi.ApiKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Accounts from an {@link InMemoryLedger} and keys in a map: a stand-in for a ledger with keys,
 * enough to drive the admin API's key routes (the built-in ledgers' key implementations are tested
 * with them).
 */
final class KeyLedgerDouble implements AccountAdministration, KeyAdministration {

    final InMemoryLedger accounts;
    final Map<String, ApiKey> keys = new LinkedHashMap<>();
    private final Clock clock;

    KeyLedgerDouble(InMemoryLedger accounts, Clock clock) {
        this.accounts = accounts;
        this.clock = clock;
    }

    @Override
    public synchronized IssuedKey issueKey(String accountId, String name, Instant expiresAt, boolean live) {
        if (accounts.account(accountId).isEmpty()) {
            throw new IllegalArgumentException("no such account");
        }
        String secret = KeySecrets.generate(live);
        String hash = ApiKey.hash(secret);
        ApiKey k = new ApiKey("key_" + hash.substring(0, 20), accountId, hash, KeySecrets.displayPrefix(secret),
                name, clock.instant(), null, expiresAt, null);
        keys.put(k.id(), k);
        return new IssuedKey(k, secret);
    }

    @Override
    public ApiKey importKey(String accountId, String key, String name, Instant expiresAt) {
        throw new UnsupportedOperationException();
    }

    @Override
    public synchronized ApiKey revokeKey(String keyId) {
        ApiKey k = key(keyId).orElseThrow(() -> new IllegalArgumentException("no such key"));
        ApiKey r = new ApiKey(k.id(), k.accountId(), k.hash(), k.displayPrefix(), k.name(), k.createdAt(),
                k.lastUsedAt(), k.expiresAt(), k.revokedAt() == null ? clock.instant() : k.revokedAt());
        keys.put(keyId, r);
        return r;
    }

    @Override
    public synchronized IssuedKey rotateKey(String keyId, Duration grace, boolean live) {
        ApiKey k = key(keyId).orElseThrow(() -> new IllegalArgumentException("no such key"));
        IssuedKey fresh = issueKey(k.accountId(), k.name(), k.expiresAt(), live);
        keys.put(keyId, new ApiKey(k.id(), k.accountId(), k.hash(), k.displayPrefix(), k.name(), k.createdAt(),
                k.lastUsedAt(), k.expiresAt(), clock.instant().plus(grace)));
        return fresh;
    }

    @Override
    public synchronized Optional<ApiKey> key(String keyId) {
        return Optional.ofNullable(keys.get(keyId));
    }

    @Override
    public synchronized List<ApiKey> keys(String accountId) {
        List<ApiKey> out = new ArrayList<>();
        keys.values().stream().filter(k -> k.accountId().equals(accountId)).forEach(out::add);
        return out;
    }

    @Override
    public boolean openAccount(String id, Money balance, Set<String> entitlements) {
        return accounts.openAccount(id, balance, entitlements);
    }

    @Override
    public Money credit(String id, Money amount, String reference) {
        return accounts.credit(id, amount, reference);
    }

    @Override
    public Money debit(String id, Money amount, String reference) {
        return accounts.debit(id, amount, reference);
    }

    @Override
    public void grant(String id, String entitlement) {
        accounts.grant(id, entitlement);
    }

    @Override
    public void revoke(String id, String entitlement) {
        accounts.revoke(id, entitlement);
    }

    @Override
    public Optional<Account> account(String id) {
        return accounts.account(id);
    }

    @Override
    public List<LedgerEntry> statement(String id, Instant from, Instant to, int limit) {
        return accounts.statement(id, from, to, limit);
    }
}
