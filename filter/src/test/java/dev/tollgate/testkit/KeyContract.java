package dev.tollgate.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.Money;
import dev.tollgate.ledger.AccountAdministration;
import dev.tollgate.ledger.IssuedKey;
import dev.tollgate.ledger.KeyAdministration;
import dev.tollgate.ledger.KeySecrets;
import dev.tollgate.ledger.LedgerEntry;
import dev.tollgate.spi.ApiKey;
import dev.tollgate.spi.KeyLookup;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The rules for a ledger that keeps accounts and keys apart ({@link KeyLookup} and
 * {@link KeyAdministration}): keys are generated with a recognisable prefix and found by their hash
 * only; imports, revocation, rotation with a grace period and expiry behave as documented; a key's
 * last use is written coarsely. Shipped in the {@code tollgate-filter} test-jar; a subclass makes the
 * ledger and its accounts. No rule sleeps: lifecycle instants are checked with
 * {@link ApiKey#usableAt}.
 */
public abstract class KeyContract {

    /** The keys under test. */
    protected KeyAdministration keys;
    /** The same ledger, as Tollgate looks keys up. */
    protected KeyLookup lookup;

    private final AtomicInteger accounts = new AtomicInteger();

    /**
     * Makes a fresh ledger with no accounts.
     *
     * @return the ledger, implementing both {@link KeyAdministration} and {@link KeyLookup}
     * @throws Exception if it cannot be made
     */
    protected abstract Object createLedger() throws Exception;

    /**
     * Opens an account (any balance) in the ledger under test.
     *
     * @param id the account id
     * @throws Exception if it cannot be opened
     */
    protected abstract void openAccount(String id) throws Exception;

    /** {@return the ledger clock's time, or one within a minute of it} */
    protected abstract Instant aboutNow();

    @BeforeEach
    void makeLedger() throws Exception {
        Object ledger = createLedger();
        keys = (KeyAdministration) ledger;
        lookup = (KeyLookup) ledger;
    }

    private String account() throws Exception {
        String id = "acct-" + accounts.incrementAndGet();
        openAccount(id);
        return id;
    }

    @Test
    void anIssuedKeyIsGeneratedWithItsPrefixAndFoundOnlyByItsHash() throws Exception {
        String account = account();
        IssuedKey live = keys.issueKey(account, "server", null, true);
        IssuedKey test = keys.issueKey(account, null, null, false);
        assertTrue(live.secret().startsWith(KeySecrets.LIVE_PREFIX), live.key().displayPrefix());
        assertTrue(test.secret().startsWith(KeySecrets.TEST_PREFIX), test.key().displayPrefix());
        assertEquals(KeySecrets.LIVE_PREFIX.length() + 32, live.secret().length());
        assertNotEquals(live.secret(), test.secret());
        assertEquals(ApiKey.hash(live.secret()), live.key().hash());
        assertEquals(live.secret().substring(0, 12), live.key().displayPrefix());
        assertFalse(live.toString().contains(live.secret()), "the secret is never printed");
        assertFalse(live.key().toString().contains(live.secret().substring(12)));

        ApiKey found = lookup.findKey(ApiKey.hash(live.secret())).orElseThrow();
        assertEquals(account, found.accountId());
        assertEquals(live.key().id(), found.id());
        assertEquals("server", found.name());
        assertNull(found.expiresAt());
        assertNull(found.revokedAt());
        assertTrue(found.usableAt(aboutNow()));
        assertEquals(Optional.empty(), lookup.findKey(ApiKey.hash(live.secret() + "x")));
        assertEquals(Optional.empty(), lookup.findKey("not a hash"));
        assertEquals(java.util.Set.of(live.key().id(), test.key().id()),
                keys.keys(account).stream().map(ApiKey::id).collect(java.util.stream.Collectors.toSet()));
        assertEquals(account, keys.key(test.key().id()).orElseThrow().accountId());
    }

    @Test
    void anImportedKeyIsKeptAsItsHashAndBelongsToOneAccountOnly() throws Exception {
        String a = account();
        String b = account();
        ApiKey imported = keys.importKey(a, "demo-import-key", "migrated", null);
        assertEquals(ApiKey.hash("demo-import-key"), imported.hash());
        assertEquals("", imported.displayPrefix(), "a key under 16 characters shows none of its text");
        assertEquals(a, lookup.findKey(ApiKey.hash("demo-import-key")).orElseThrow().accountId());
        assertThrows(IllegalArgumentException.class, () -> keys.importKey(b, "demo-import-key", null, null));
        assertThrows(IllegalArgumentException.class, () -> keys.importKey(b, "short", null, null));
        assertThrows(IllegalArgumentException.class, () -> keys.importKey(b, "has a space in it", null, null));
        assertThrows(IllegalArgumentException.class, () -> keys.importKey("no-such-account", "another-key-1", null,
                null));
        assertThrows(IllegalArgumentException.class, () -> keys.issueKey("no-such-account", null, null, true));
        assertThrows(IllegalArgumentException.class, () -> keys.issueKey(a, "n".repeat(ApiKey.MAX_NAME_LENGTH + 1),
                null, true));
        assertEquals(List.of(), keys.keys(b));
    }

    @Test
    void aKeyWithAnExpiryStopsAtIt() throws Exception {
        String account = account();
        Instant expiry = aboutNow().plus(Duration.ofDays(1)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        IssuedKey issued = keys.issueKey(account, null, expiry, true);
        ApiKey found = lookup.findKey(issued.key().hash()).orElseThrow();
        assertEquals(expiry, found.expiresAt());
        assertTrue(found.usableAt(expiry.minusMillis(1)));
        assertFalse(found.usableAt(expiry));
        assertThrows(IllegalArgumentException.class,
                () -> keys.issueKey(account, null, Instant.parse("2001-01-01T00:00:00Z"), true));
    }

    @Test
    void aRevokedKeyIsRefusedFromItsRevocationAndRevokingAgainChangesNothing() throws Exception {
        String account = account();
        IssuedKey issued = keys.issueKey(account, null, null, true);
        ApiKey revoked = keys.revokeKey(issued.key().id());
        assertNotNull(revoked.revokedAt());
        assertFalse(revoked.usableAt(revoked.revokedAt()));
        assertFalse(revoked.usableAt(aboutNow().plus(Duration.ofHours(2))));
        ApiKey found = lookup.findKey(issued.key().hash()).orElseThrow();
        assertEquals(revoked.revokedAt(), found.revokedAt());
        assertEquals(revoked.revokedAt(), keys.revokeKey(issued.key().id()).revokedAt());
        assertThrows(IllegalArgumentException.class, () -> keys.revokeKey("key_00000000000000000000"));
        assertThrows(IllegalArgumentException.class, () -> keys.rotateKey(issued.key().id(), Duration.ZERO, true));
    }

    @Test
    void rotationIssuesANewKeyAndKeepsTheOldOneForTheGracePeriod() throws Exception {
        String account = account();
        IssuedKey old = keys.issueKey(account, "ci", null, true);
        Duration grace = Duration.ofHours(1);
        IssuedKey fresh = keys.rotateKey(old.key().id(), grace, true);
        assertNotEquals(old.secret(), fresh.secret());
        assertEquals(account, fresh.key().accountId());
        assertEquals("ci", fresh.key().name());

        ApiKey before = lookup.findKey(old.key().hash()).orElseThrow();
        Instant end = before.revokedAt();
        assertNotNull(end);
        assertEquals(grace, Duration.between(fresh.key().createdAt(), end));
        assertTrue(before.usableAt(end.minusSeconds(1)), "the old key works during the grace period");
        assertFalse(before.usableAt(end), "and not after");
        ApiKey now = lookup.findKey(fresh.key().hash()).orElseThrow();
        assertTrue(now.usableAt(end.plus(Duration.ofDays(365))));

        // Revoking during the grace period ends it at once; rotating with no grace revokes at once.
        assertFalse(keys.revokeKey(old.key().id()).usableAt(end.minusSeconds(1)));
        IssuedKey third = keys.rotateKey(fresh.key().id(), Duration.ZERO, false);
        ApiKey second = lookup.findKey(fresh.key().hash()).orElseThrow();
        assertEquals(second.revokedAt(), third.key().createdAt());
        assertThrows(IllegalArgumentException.class, () -> keys.rotateKey(third.key().id(), Duration.ofSeconds(-1),
                true));
        assertEquals(3, keys.keys(account).size());
    }

    /**
     * Every admin action without money is a NOTE entry of the account's statement with its actor,
     * zero deltas and the account's unit; keys are named by id and display prefix, never by secret
     * or hash; the forms without an actor record nothing; a malformed actor changes nothing.
     */
    @Test
    void actionsWithAnActorAreNotesInTheStatementWithoutSecretsOrHashes() throws Exception {
        AccountAdministration admin = (AccountAdministration) keys;
        String account = "noted-" + accounts.incrementAndGet();
        String legacy = "legacy-key-for-notes-0123456789";
        assertTrue(admin.openAccount(account, Money.credits("5"), Set.of("gold"), "alice"));
        admin.grant(account, "silver", "alice");
        admin.revoke(account, "gold", "bob.smith");
        IssuedKey issued = keys.issueKey(account, "ci", null, true, "alice");
        ApiKey imported = keys.importKey(account, legacy, null, null, "bob.smith");
        IssuedKey rotated = keys.rotateKey(issued.key().id(), Duration.ofHours(1), false, "carol_1");
        keys.revokeKey(imported.id(), "carol_1");
        keys.issueKey(account, null, null, true);
        admin.grant(account, "platinum");
        assertThrows(IllegalArgumentException.class, () -> admin.grant(account, "bronze", "bad actor"));
        assertThrows(IllegalArgumentException.class, () -> keys.issueKey(account, null, null, true, "[admin:x]"));

        List<LedgerEntry> notes = admin.statement(account, Instant.EPOCH, aboutNow().plus(Duration.ofDays(1)), 100)
                .stream().filter(e -> e.kind() == LedgerEntry.Kind.NOTE).toList();
        String i = issued.key().id() + " (" + issued.key().displayPrefix() + "…)";
        String m = imported.id() + " (" + imported.displayPrefix() + "…)";
        String r = rotated.key().id() + " (" + rotated.key().displayPrefix() + "…)";
        assertEquals(List.of("[admin:alice] opened the account with entitlements \"gold\"",
                "[admin:alice] granted entitlement \"silver\"",
                "[admin:bob.smith] revoked entitlement \"gold\"",
                "[admin:alice] issued key " + i,
                "[admin:bob.smith] imported key " + m,
                "[admin:carol_1] rotated key " + i + " to " + r + ", grace 3600 s",
                "[admin:carol_1] revoked key " + m), notes.stream().map(LedgerEntry::reference).toList());
        for (LedgerEntry e : notes) {
            assertEquals(0, e.availableDelta().signum(), e.toString());
            assertEquals(0, e.heldDelta().signum(), e.toString());
            assertEquals("credits", e.currency());
            assertNull(e.holdId());
            for (String secret : List.of(issued.secret(), rotated.secret(), legacy, issued.key().hash(),
                    rotated.key().hash(), imported.hash())) {
                assertFalse(e.reference().contains(secret), e.reference());
            }
        }
        assertFalse(admin.account(account).orElseThrow().entitlements().contains("bronze"));
        assertEquals(Set.of("silver", "platinum"), admin.account(account).orElseThrow().entitlements());
        assertEquals(new BigDecimal("5"), admin.account(account).orElseThrow().balance().amount().stripTrailingZeros());
    }

    @Test
    void aKeysLastUseIsWrittenCoarsely() throws Exception {
        String account = account();
        IssuedKey issued = keys.issueKey(account, null, null, true);
        assertNull(keys.key(issued.key().id()).orElseThrow().lastUsedAt());
        lookup.findKey(issued.key().hash());
        Instant first = keys.key(issued.key().id()).orElseThrow().lastUsedAt();
        assertNotNull(first);
        lookup.findKey(issued.key().hash());
        assertEquals(first, keys.key(issued.key().id()).orElseThrow().lastUsedAt(),
                "not written again within a minute");
    }
}
