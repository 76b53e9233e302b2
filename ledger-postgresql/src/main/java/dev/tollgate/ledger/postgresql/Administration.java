package dev.tollgate.ledger.postgresql;

import dev.tollgate.Money;
import dev.tollgate.spi.Allowance;
import dev.tollgate.ledger.AccountLimits;
import dev.tollgate.ledger.AdminNotes;
import dev.tollgate.ledger.LedgerEntry;
import dev.tollgate.spi.Account;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What operators and the application do to accounts (open, credit, debit, entitlements) and read
 * from them (an account, a statement). Input is checked with {@link AccountLimits} before the
 * database is touched; each change and its entry are one transaction.
 *
 * <p>Thread-safe.
 */
final class Administration {

    private static final OffsetDateTime EARLIEST = OffsetDateTime.of(1970, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);
    private static final OffsetDateTime LATEST = OffsetDateTime.of(9999, 12, 31, 0, 0, 0, 0, ZoneOffset.UTC);

    private final LedgerDatabase db;
    private final LedgerStatements sql;

    Administration(LedgerDatabase db) {
        this.db = db;
        this.sql = db.sql;
    }

    Optional<Account> account(String accountId) {
        if (!AccountLimits.isValidId(accountId)) {
            return Optional.empty();
        }
        return db.autoCommit("account", c -> {
            try (PreparedStatement ps = db.prepare(c, sql.account)) {
                ps.setString(1, accountId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    String[] entitlements = (String[]) rs.getArray(4).getArray();
                    return Optional.of(new Account(rs.getString(1), new Money(rs.getBigDecimal(3), rs.getString(2)),
                            Set.of(entitlements)));
                }
            }
        });
    }

    boolean openAccount(String id, Money balance, Set<String> entitlements, String actor) {
        LedgerDatabase.requireActorOrNone(actor);
        AccountLimits.requireValidId(id);
        Objects.requireNonNull(balance, "balance");
        AccountLimits.requireWithinMaximum(balance.amount(), balance);
        for (String e : entitlements) {
            AccountLimits.requireValidEntitlement(e);
        }
        return db.inTransaction("openAccount", c -> {
            try (PreparedStatement ps = db.prepare(c, sql.openAccount)) {
                ps.setString(1, id);
                ps.setString(2, balance.currency());
                ps.setBigDecimal(3, balance.amount());
                if (ps.executeUpdate() == 0) {
                    return false;
                }
            }
            for (String e : new TreeSet<>(entitlements)) {
                grant(c, id, e);
            }
            entry(c, id, "open", balance.amount(), BigDecimal.ZERO, null);
            db.note(c, id, actor, AdminNotes.opened(entitlements));
            return true;
        });
    }

    Money adjust(String id, Money amount, boolean credit, String reference) {
        AccountLimits.requireValidId(id);
        Objects.requireNonNull(amount, "amount");
        AccountLimits.requireValidReference(reference);
        if (credit) {
            AccountLimits.requireWithinMaximum(amount.amount(), amount);
        }
        return db.inTransaction(credit ? "credit" : "debit", c -> {
            try (PreparedStatement ps = db.prepare(c, credit ? sql.credit : sql.debit)) {
                ps.setBigDecimal(1, amount.amount());
                ps.setString(2, id);
                ps.setString(3, amount.currency());
                ps.setBigDecimal(4, amount.amount());
                if (credit) {
                    ps.setBigDecimal(5, AccountLimits.MAX_BALANCE);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        BigDecimal after = rs.getBigDecimal(1);
                        entry(c, id, credit ? "credit" : "debit", credit ? amount.amount() : amount.amount().negate(),
                                BigDecimal.ZERO, reference);
                        return new Money(after, amount.currency());
                    }
                }
            }
            Account a = requireAccount(c, id);
            if (!a.balance().currency().equals(amount.currency())) {
                throw new IllegalArgumentException("account " + id + " is kept in " + a.balance().currency() + ", not "
                        + amount.currency());
            }
            if (credit) {
                throw AccountLimits.overMaximum(amount); // the only other reason the update can refuse
            }
            throw new IllegalStateException("account " + id + " holds " + a.balance() + ", less than " + amount);
        });
    }

    private void entry(Connection c, String account, String kind, BigDecimal available, BigDecimal held,
                       String reference) throws SQLException {
        try (PreparedStatement ps = db.prepare(c, sql.entry)) {
            ps.setString(1, account);
            ps.setString(2, kind);
            ps.setBigDecimal(3, available);
            ps.setBigDecimal(4, held);
            ps.setString(5, reference);
            ps.executeUpdate();
        }
    }

    void grant(String id, String entitlement, String actor) {
        LedgerDatabase.requireActorOrNone(actor);
        AccountLimits.requireValidId(id);
        AccountLimits.requireValidEntitlement(entitlement);
        db.inTransaction("grant", c -> {
            requireAccount(c, id);
            if (grant(c, id, entitlement)) { // a grant of an entitlement already held is not noted
                db.note(c, id, actor, AdminNotes.granted(entitlement));
            }
            return null;
        });
    }

    /** {@return whether the entitlement was added (false when already held)} */
    private boolean grant(Connection c, String id, String entitlement) throws SQLException {
        try (PreparedStatement ps = db.prepare(c, sql.grant)) {
            ps.setString(1, id);
            ps.setString(2, entitlement);
            return ps.executeUpdate() > 0;
        }
    }

    void revoke(String id, String entitlement, String actor) {
        LedgerDatabase.requireActorOrNone(actor);
        AccountLimits.requireValidId(id);
        AccountLimits.requireValidEntitlement(entitlement);
        db.inTransaction("revoke", c -> {
            requireAccount(c, id);
            int removed;
            try (PreparedStatement ps = db.prepare(c, sql.revoke)) {
                ps.setString(1, id);
                ps.setString(2, entitlement);
                removed = ps.executeUpdate();
            }
            if (removed > 0) { // revoking an entitlement not held is not noted
                db.note(c, id, actor, AdminNotes.revoked(entitlement));
            }
            return null;
        });
    }

    List<LedgerEntry> statement(String id, Instant from, Instant to, int limit) {
        if (limit < 1 || limit > 10_000) {
            throw new IllegalArgumentException("limit must be 1 to 10000: " + limit);
        }
        AccountLimits.requireValidId(id);
        return db.inTransaction("statement", c -> {
            Account a = requireAccount(c, id);
            List<LedgerEntry> out = new ArrayList<>();
            try (PreparedStatement ps = db.prepare(c, sql.statement)) {
                ps.setString(1, id);
                ps.setObject(2, clamp(from));
                ps.setObject(3, clamp(to));
                ps.setInt(4, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long hold = rs.getLong(5);
                        String holdId = rs.wasNull() ? null : Long.toString(hold);
                        out.add(new LedgerEntry(rs.getLong(1), id,
                                LedgerEntry.Kind.valueOf(rs.getString(2).toUpperCase(java.util.Locale.ROOT)),
                                plain(rs.getBigDecimal(3)), plain(rs.getBigDecimal(4)),
                                a.balance().currency(), holdId, rs.getString(6),
                                rs.getObject(7, OffsetDateTime.class).toInstant(), plain(rs.getBigDecimal(8))));
                    }
                }
            }
            return out;
        });
    }

    void setAllowance(String id, Allowance allowance, String reference) {
        AccountLimits.requireValidId(id);
        Objects.requireNonNull(allowance, "allowance");
        AccountLimits.requireValidReference(reference);
        String unit = allowance.unit().name().toLowerCase(java.util.Locale.ROOT);
        db.inTransaction("setAllowance", c -> {
            try (PreparedStatement ps = db.prepare(c, sql.setAllowance)) {
                ps.setString(1, allowance.plan());
                ps.setBigDecimal(2, allowance.limit());
                ps.setInt(3, allowance.anchorDay());
                ps.setString(4, unit);
                ps.setString(5, unit);
                ps.setInt(6, allowance.anchorDay());
                ps.setString(7, unit);
                ps.setString(8, id);
                ps.setString(9, allowance.currency());
                ps.setString(10, allowance.currency());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        Account a = requireAccount(c, id);
                        throw new IllegalArgumentException("account " + id + " is kept in " + a.balance().currency()
                                + "; its allowance's credits must be too, not " + allowance.currency());
                    }
                }
            }
            entry(c, id, "allowance", BigDecimal.ZERO, BigDecimal.ZERO, reference);
            return null;
        });
    }

    boolean removeAllowance(String id, String reference) {
        AccountLimits.requireValidId(id);
        AccountLimits.requireValidReference(reference);
        return db.inTransaction("removeAllowance", c -> {
            requireAccount(c, id);
            try (PreparedStatement ps = db.prepare(c, sql.removeAllowance)) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return false;
                    }
                }
            }
            entry(c, id, "allowance", BigDecimal.ZERO, BigDecimal.ZERO, reference);
            return true;
        });
    }

    Optional<Allowance.State> allowance(String id) {
        AccountLimits.requireValidId(id);
        return db.autoCommit("allowance", c -> {
            Account a = requireAccount(c, id);
            try (PreparedStatement ps = db.prepare(c, sql.allowance)) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return Optional.ofNullable(Holds.allowanceState(rs, 1, a.balance().currency()));
                }
            }
        });
    }

    private Account requireAccount(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = db.prepare(c, sql.account)) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalArgumentException("no such account: " + id);
                }
                return new Account(rs.getString(1), new Money(rs.getBigDecimal(3), rs.getString(2)),
                        Set.of((String[]) rs.getArray(4).getArray()));
            }
        }
    }

    /** Without the column's 18 trailing zeros, and never in exponent form (1000, not 1E+3). */
    private static BigDecimal plain(BigDecimal d) {
        BigDecimal stripped = d.stripTrailingZeros();
        return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
    }

    private static OffsetDateTime clamp(Instant i) {
        OffsetDateTime t;
        try {
            t = OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
        } catch (java.time.DateTimeException e) {
            return i.isBefore(Instant.EPOCH) ? EARLIEST : LATEST;
        }
        return t.isBefore(EARLIEST) ? EARLIEST : t.isAfter(LATEST) ? LATEST : t;
    }
}
