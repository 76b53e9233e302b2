package dev.tollgate.ledger;

import dev.tollgate.Money;
import dev.tollgate.spi.Allowance;
import java.math.BigDecimal;
import dev.tollgate.spi.Account;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads accounts from a properties file (UTF-8), for seeding a ledger. One account per id; the id
 * may contain dots:
 * <pre>
 * account.demo-gold.balance      = 1000
 * account.demo-gold.currency     = credits      (optional; default credits)
 * account.demo-gold.entitlements = premium, beta (optional)
 * account.demo-gold.allowance    = starter, 5 calls (optional: plan, limit and unit, then optionally
 *                                  ", day 15", the anchor day; credits are in the account's unit)
 * </pre>
 */
public final class AccountsFile {

    private static final Set<String> ATTRIBUTES = Set.of("balance", "currency", "entitlements", "allowance");
    private static final java.util.regex.Pattern ALLOWANCE = java.util.regex.Pattern.compile(
            "([^,]+),\\s*([0-9]+(?:\\.[0-9]+)?)\\s+(calls|credits)(?:,\\s*day\\s+([0-9]{1,2}))?");

    private AccountsFile() {
    }

    /**
     * Reads the accounts.
     *
     * @param in the file; not closed
     * @return the accounts, sorted by id
     * @throws IOException if it cannot be read
     * @throws IllegalArgumentException if an entry is malformed; the message names the key
     */
    public static List<Account> read(InputStream in) throws IOException {
        Properties p = new Properties();
        p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        Map<String, Map<String, String>> byId = new LinkedHashMap<>();
        for (String name : p.stringPropertyNames().stream().sorted().toList()) {
            int last = name.lastIndexOf('.');
            String attribute = last < 0 ? "" : name.substring(last + 1);
            if (!name.startsWith("account.") || last <= "account.".length() || !ATTRIBUTES.contains(attribute)) {
                throw new IllegalArgumentException("unexpected key \"" + name
                        + "\": expected account.<id>.balance, .currency, .entitlements or .allowance");
            }
            byId.computeIfAbsent(name.substring("account.".length(), last), x -> new LinkedHashMap<>())
                    .put(attribute, p.getProperty(name).strip());
        }
        List<Account> accounts = new ArrayList<>();
        for (Map.Entry<String, Map<String, String>> e : byId.entrySet()) {
            String id = e.getKey();
            Map<String, String> a = e.getValue();
            String balance = a.get("balance");
            if (balance == null) {
                throw new IllegalArgumentException("account." + id + ".balance is missing");
            }
            Money money;
            try {
                money = Money.parse(balance, a.getOrDefault("currency", Money.DEFAULT_CURRENCY));
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("account." + id + ": " + ex.getMessage(), ex);
            }
            Set<String> entitlements = Arrays.stream(a.getOrDefault("entitlements", "").split(","))
                    .map(String::strip).filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet());
            if (a.containsKey("allowance")) {
                allowance(id, a.get("allowance"), money.currency()); // checked here, so a bad one fails the load
            }
            accounts.add(new Account(id, money, entitlements));
        }
        return accounts;
    }

    /**
     * Reads the allowances of the accounts that have one.
     *
     * @param in the file; not closed
     * @return account id to allowance, sorted by id
     * @throws IOException if it cannot be read
     * @throws IllegalArgumentException if an entry is malformed; the message names the key
     * @since issue 12
     */
    public static Map<String, Allowance> allowances(InputStream in) throws IOException {
        Properties p = new Properties();
        p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        Map<String, Allowance> out = new java.util.TreeMap<>();
        for (String name : p.stringPropertyNames()) {
            if (name.startsWith("account.") && name.endsWith(".allowance")) {
                String id = name.substring("account.".length(), name.length() - ".allowance".length());
                String currency = p.getProperty("account." + id + ".currency", Money.DEFAULT_CURRENCY).strip();
                out.put(id, allowance(id, p.getProperty(name).strip(), currency));
            }
        }
        return out;
    }

    private static Allowance allowance(String id, String text, String currency) {
        java.util.regex.Matcher m = ALLOWANCE.matcher(text);
        try {
            if (!m.matches()) {
                throw new IllegalArgumentException("expected \"<plan>, <limit> calls|credits[, day <1-31>]\"");
            }
            int day = m.group(4) == null ? 1 : Integer.parseInt(m.group(4));
            BigDecimal limit = new BigDecimal(m.group(2));
            return m.group(3).equals("calls") ? new Allowance(m.group(1).strip(), Allowance.Unit.CALLS, limit, null, day)
                    : new Allowance(m.group(1).strip(), Allowance.Unit.CREDITS, limit, currency, day);
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("account." + id + ".allowance: " + ex.getMessage(), ex);
        }
    }
}
