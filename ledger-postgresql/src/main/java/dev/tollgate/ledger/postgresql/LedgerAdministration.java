package dev.tollgate.ledger.postgresql;

import dev.tollgate.Money;
import dev.tollgate.ledger.AccountAdministration;
import dev.tollgate.ledger.AllowanceAdministration;
import dev.tollgate.ledger.IssuedKey;
import dev.tollgate.ledger.KeyAdministration;
import dev.tollgate.ledger.LedgerEntry;
import dev.tollgate.spi.Account;
import dev.tollgate.spi.Allowance;
import dev.tollgate.spi.ApiKey;
import dev.tollgate.spi.KeyLookup;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The administration side of {@link PostgresLedger}: accounts, allowances and keys, each call handed
 * to {@link Administration} or {@link KeyRows}. A separate class only to keep the ledger's file
 * short; {@link PostgresLedger} is its only subclass and re-declares the interfaces, so its public
 * API is the same as if these methods were declared there.
 *
 * <p>Thread-safe, as the classes it delegates to.
 */
abstract class LedgerAdministration implements AccountAdministration, KeyLookup, KeyAdministration,
        AllowanceAdministration {

    final Administration administration;
    final KeyRows keys;

    LedgerAdministration(LedgerDatabase db) {
        this.administration = new Administration(db);
        this.keys = new KeyRows(db);
    }

    // ---------------------------------------------------------------- accounts

    @Override
    public Optional<Account> account(String accountId) {
        return administration.account(accountId);
    }

    @Override
    public boolean openAccount(String id, Money balance, Set<String> entitlements) {
        return administration.openAccount(id, balance, entitlements, null);
    }

    @Override
    public boolean openAccount(String id, Money balance, Set<String> entitlements, String actor) {
        return administration.openAccount(id, balance, entitlements, actor);
    }

    @Override
    public Money credit(String id, Money amount, String reference) {
        return administration.adjust(id, amount, true, reference);
    }

    @Override
    public Money debit(String id, Money amount, String reference) {
        return administration.adjust(id, amount, false, reference);
    }

    @Override
    public void grant(String id, String entitlement) {
        administration.grant(id, entitlement, null);
    }

    @Override
    public void grant(String id, String entitlement, String actor) {
        administration.grant(id, entitlement, actor);
    }

    @Override
    public void revoke(String id, String entitlement) {
        administration.revoke(id, entitlement, null);
    }

    @Override
    public void revoke(String id, String entitlement, String actor) {
        administration.revoke(id, entitlement, actor);
    }

    @Override
    public List<LedgerEntry> statement(String id, Instant from, Instant to, int limit) {
        return administration.statement(id, from, to, limit);
    }

    // ---------------------------------------------------------------- allowances

    /** {@inheritDoc} The period is computed from the database clock, as the reserves compute it. */
    @Override
    public void setAllowance(String accountId, Allowance allowance, String reference) {
        administration.setAllowance(accountId, allowance, reference);
    }

    @Override
    public boolean removeAllowance(String accountId, String reference) {
        return administration.removeAllowance(accountId, reference);
    }

    /** {@inheritDoc} As of the database clock. */
    @Override
    public Optional<Allowance.State> allowance(String accountId) {
        return administration.allowance(accountId);
    }

    // ---------------------------------------------------------------- keys

    @Override
    public Optional<ApiKey> findKey(String hash) {
        return keys.find(hash);
    }

    @Override
    public IssuedKey issueKey(String accountId, String name, Instant expiresAt, boolean live) {
        return keys.issue(accountId, name, expiresAt, live, null);
    }

    @Override
    public IssuedKey issueKey(String accountId, String name, Instant expiresAt, boolean live, String actor) {
        return keys.issue(accountId, name, expiresAt, live, actor);
    }

    @Override
    public ApiKey importKey(String accountId, String key, String name, Instant expiresAt) {
        return keys.importKey(accountId, key, name, expiresAt, null);
    }

    @Override
    public ApiKey importKey(String accountId, String key, String name, Instant expiresAt, String actor) {
        return keys.importKey(accountId, key, name, expiresAt, actor);
    }

    @Override
    public ApiKey revokeKey(String keyId) {
        return keys.revoke(keyId, null);
    }

    @Override
    public ApiKey revokeKey(String keyId, String actor) {
        return keys.revoke(keyId, actor);
    }

    @Override
    public IssuedKey rotateKey(String keyId, Duration grace, boolean live) {
        return keys.rotate(keyId, grace, live, null);
    }

    @Override
    public IssuedKey rotateKey(String keyId, Duration grace, boolean live, String actor) {
        return keys.rotate(keyId, grace, live, actor);
    }

    @Override
    public Optional<ApiKey> key(String keyId) {
        return keys.key(keyId);
    }

    @Override
    public List<ApiKey> keys(String accountId) {
        return keys.list(accountId);
    }
}
