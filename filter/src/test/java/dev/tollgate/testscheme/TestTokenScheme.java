package dev.tollgate.testscheme;

import dev.tollgate.Denial;
import dev.tollgate.Money;
import dev.tollgate.spi.Hold;
import dev.tollgate.spi.Idempotency;
import dev.tollgate.spi.PaymentOption;
import dev.tollgate.spi.RecordedResponse;
import dev.tollgate.spi.payment.Committed;
import dev.tollgate.spi.payment.MalformedCredentialException;
import dev.tollgate.spi.payment.Offer;
import dev.tollgate.spi.payment.PaymentScheme;
import dev.tollgate.spi.payment.Reserved;
import dev.tollgate.spi.payment.Terms;
import jakarta.servlet.http.HttpServletRequest;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A payment scheme written as its own module would write it: only public Tollgate types, found by
 * {@code ServiceLoader} (its class is listed in this test tree's
 * {@code META-INF/services/dev.tollgate.spi.payment.PaymentScheme}). A request pays with
 * {@code X-Test-Token: <n>}, a token worth {@code n} in the endpoint's currency that can be spent
 * once; a {@code 402} offers it with an {@code X-Test-Token-Price} header and a payment option.
 * Two tokens settle badly on purpose: {@value #DECLINED} is declined at commit, {@value #UNKNOWN}
 * has an unknown outcome. Thread-safe.
 */
public final class TestTokenScheme implements PaymentScheme<BigDecimal, TestTokenScheme.Claim> {

    /** The scheme's name. */
    public static final String NAME = "test-token";
    /** The header that carries a token. */
    public static final String HEADER = "X-Test-Token";
    /** The header of a 402 that says what a token must be worth. */
    public static final String PRICE_HEADER = "X-Test-Token-Price";
    /** The header of a paid response that names the spent token. */
    public static final String RECEIPT_HEADER = "X-Test-Token-Receipt";
    /** A token the issuer declines at settlement. */
    public static final String DECLINED = "666";
    /** A token whose settlement has an unknown outcome. */
    public static final String UNKNOWN = "503";

    /** A token claimed for one call. */
    public record Claim(String token, Money price) {
    }

    /** Tokens claimed by a running call or spent; a token is in here at most once. */
    private final Set<String> claimed = Collections.newSetFromMap(new ConcurrentHashMap<>());
    private final Set<String> spent = Collections.newSetFromMap(new ConcurrentHashMap<>());

    /** Creates the scheme; {@code ServiceLoader} needs this constructor. */
    public TestTokenScheme() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Offer offer(Terms terms) {
        if (terms.entitlement() != null) {
            return Offer.NONE; // a token buys calls, not entitlements
        }
        return new Offer(List.of(new PaymentOption(NAME, terms.price(), "Send a token worth the price.",
                Map.of("header", HEADER))), List.of(Map.entry(PRICE_HEADER, terms.price().amount().toPlainString()
                + " " + terms.price().currency())));
    }

    @Override
    public BigDecimal credential(HttpServletRequest request) throws MalformedCredentialException {
        List<String> values = Collections.list(request.getHeaders(HEADER));
        if (values.isEmpty()) {
            return null;
        }
        if (values.size() > 1 || !values.get(0).matches("[0-9]{1,9}")) {
            throw new MalformedCredentialException("Send one " + HEADER + " header of 1 to 9 digits.");
        }
        return new BigDecimal(values.get(0));
    }

    @Override
    public Reserved<Claim> reserve(BigDecimal token, Terms terms, Idempotency idempotency) {
        String id = token.toPlainString();
        if (terms.entitlement() != null) {
            // Only the account scheme knows entitlements: a scheme must refuse terms it cannot meet.
            return new Reserved.Refused<>(Denial.of(Denial.Kind.ENTITLEMENT_REQUIRED, "A token cannot grant the '"
                    + terms.entitlement() + "' entitlement; use an account that holds it."));
        }
        if (token.compareTo(terms.price().amount()) < 0) {
            return refused("This token is worth " + id + "; the call costs " + terms.price().amount().toPlainString()
                    + ".", terms);
        }
        if (spent.contains(id) || !claimed.add(id)) {
            return refused("This token was spent or is in use.", terms);
        }
        Claim claim = new Claim(id, terms.price());
        return new Reserved.Held<>(claim, new Hold("token-" + id, NAME, terms.price(),
                Instant.now().plusSeconds(60)), null, null);
    }

    private Reserved<Claim> refused(String detail, Terms terms) {
        Offer offer = offer(terms);
        return new Reserved.Refused<>(new Denial(Denial.Kind.PAYMENT_DECLINED, detail, terms.price(), null, null,
                terms.description(), null, List.of(), offer.options()), offer.headers());
    }

    @Override
    public Committed commit(Claim claim, RecordedResponse recorded, boolean canReplace) {
        if (claim.token().equals(DECLINED)) {
            claimed.remove(claim.token());
            return new Committed.Declined("The token issuer declined this token.",
                    List.of(Map.entry("X-Test-Token-Declined", claim.token())));
        }
        if (claim.token().equals(UNKNOWN)) {
            return new Committed.Unknown("The token issuer did not answer; do not send another token for"
                    + " this call before it does.");
        }
        spent.add(claim.token());
        claimed.remove(claim.token());
        return new Committed.Paid(List.of(Map.entry(RECEIPT_HEADER, claim.token() + ";paid="
                + claim.price().amount().toPlainString())));
    }

    @Override
    public void release(Claim claim, String why) {
        claimed.remove(claim.token());
    }
}
