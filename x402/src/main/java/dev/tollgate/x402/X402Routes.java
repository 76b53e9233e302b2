package dev.tollgate.x402;

import dev.tollgate.spi.payment.Terms;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;

/**
 * Turns an endpoint's terms and {@link X402} annotation into an {@link X402Route}, and checks a
 * payment against a route before anything is sent to a facilitator. Stateless.
 */
final class X402Routes {

    private X402Routes() {
    }

    /**
     * Resolves an endpoint's x402 terms.
     *
     * @throws IllegalArgumentException naming the endpoint and the member, if a value is invalid
     */
    static X402Route resolve(Terms terms, X402Settings s) {
        X402 a = terms.annotation(X402.class);
        String where = "x402 terms of " + (terms.declaredOn() != null ? terms.declaredOn() + " (" + terms.resource()
                + ")" : terms.resource()) + ": ";
        try {
            String network = a != null && !a.network().isEmpty() ? a.network() : s.network();
            X402Asset asset = s.asset();
            if (a != null && !a.asset().isEmpty()) {
                if (!a.asset().equalsIgnoreCase(asset.address())) {
                    throw new IllegalArgumentException("asset " + a.asset() + " differs from the configured asset "
                            + asset.address() + "; configure its EIP-712 name, version and decimals"
                            + " (tollgate.x402.asset*) instead");
                }
            }
            if (!network.equals(s.network()) && a.asset().isEmpty()) {
                // Another network than the configured one: its USDC, when known; never the
                // configured asset's address, which means another contract (or none) there.
                asset = X402Parameters.knownUsdc(network);
                if (asset == null) {
                    throw new IllegalArgumentException("network " + network + " has no known USDC; configure its"
                            + " asset (tollgate.x402.asset*, with tollgate.x402.network = " + network + ")");
                }
            }
            String payTo = a != null && !a.payTo().isEmpty() ? a.payTo() : s.payTo();
            if (payTo == null) {
                throw new IllegalArgumentException("no payTo: set @X402(payTo) or " + X402Parameters.PAY_TO);
            }
            BigDecimal price;
            if (a != null && !a.price().isEmpty()) {
                price = parse(a.price());
            } else {
                String currency = terms.price().currency();
                if (!currency.equalsIgnoreCase(asset.name().replace(" ", ""))
                        && !(currency.equalsIgnoreCase("USDC") && asset.name().toUpperCase().contains("USD"))) {
                    throw new IllegalArgumentException("the @RequiresPayment price is in " + currency + ", not in "
                            + asset.name() + ": add @X402(price = \"…\") in " + asset.name());
                }
                price = terms.price().amount();
            }
            int timeout = a != null && a.maxTimeoutSeconds() != 0 ? a.maxTimeoutSeconds() : s.maxTimeoutSeconds();
            String description = a != null && !a.description().isEmpty() ? a.description()
                    : terms.description() != null ? terms.description() : terms.resource();
            String mimeType = a != null && !a.mimeType().isEmpty() ? a.mimeType() : "application/json";
            boolean pidRequired = a != null && a.paymentIdentifierRequired();
            return new X402Route(terms.resource(), network, asset, payTo, price, asset.atomic(price), timeout,
                    description, mimeType, pidRequired);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + e.getMessage(), e);
        }
    }

    private static BigDecimal parse(String price) {
        if (!price.matches("[0-9]{1,30}(\\.[0-9]{1,36})?")) {
            throw new IllegalArgumentException("price \"" + price + "\" is not a plain decimal such as 0.01");
        }
        return new BigDecimal(price);
    }

    /**
     * {@return why a payment cannot pay a route, as a short reason, or {@code null} when it can} Only
     * local facts: the chosen requirement, the recipient, the amount and the validity window.
     *
     * @param p the payment
     * @param r the route
     * @param now the current time (the scheme's clock)
     * @param minValidity how long the authorization must still be valid
     * @param maxSkew how far past the route's timeout its end may lie
     */
    static String mismatch(X402Payment p, X402Route r, Instant now, Duration minValidity, Duration maxSkew) {
        if (p.version() == 2) {
            JsonObject a = p.accepted();
            if (!X402Route.EXACT.equals(text(a, "scheme"))) {
                return "unsupported_scheme";
            }
            if (!r.sameTerms(text(a, "network"), text(a, "asset"), text(a, "payTo"))) {
                return "requirement_mismatch";
            }
            if (!r.amount().toString().equals(text(a, "amount"))) {
                return "amount_mismatch";
            }
            JsonValue t = a.get("maxTimeoutSeconds");
            if (!(t instanceof jakarta.json.JsonNumber n) || !n.isIntegral()
                    || n.bigDecimalValue().compareTo(BigDecimal.valueOf(r.maxTimeoutSeconds())) != 0) {
                return "requirement_mismatch";
            }
            JsonValue extra = a.get("extra");
            if (!(extra instanceof JsonObject e) || !r.asset().name().equals(text(e, "name"))
                    || !r.asset().version().equals(text(e, "version"))) {
                return "requirement_mismatch";
            }
        } else if (!X402Route.EXACT.equals(text(p.raw(), "scheme"))) {
            return "unsupported_scheme";
        } else if (!p.network().equals(X402Networks.v1Name(r.network()))) {
            return "unsupported_network";
        }
        if (!p.to().equalsIgnoreCase(r.payTo())) {
            return "recipient_mismatch";
        }
        if (!p.value().equals(r.amount())) {
            return "amount_mismatch";
        }
        long seconds = now.getEpochSecond();
        if (p.validAfter() > seconds) {
            return "authorization_not_yet_valid";
        }
        if (p.validBefore() < seconds + minValidity.toSeconds()) {
            return "authorization_expired";
        }
        if (p.validBefore() > seconds + r.maxTimeoutSeconds() + maxSkew.toSeconds()) {
            return "authorization_too_long";
        }
        return null;
    }

    private static String text(JsonObject o, String name) {
        JsonValue v = o.get(name);
        return v instanceof JsonString s ? s.getString() : null;
    }
}
