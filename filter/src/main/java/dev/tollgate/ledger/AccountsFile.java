package dev.tollgate.ledger;

import dev.tollgate.Money;
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
 * </pre>
 */
public final class AccountsFile {

    private static final Set<String> ATTRIBUTES = Set.of("balance", "currency", "entitlements");

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
                        + "\": expected account.<id>.balance, .currency or .entitlements");
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
            accounts.add(new Account(id, money, entitlements));
        }
        return accounts;
    }
}
