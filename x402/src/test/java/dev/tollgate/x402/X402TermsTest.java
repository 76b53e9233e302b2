package dev.tollgate.x402;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.Money;
import dev.tollgate.spi.payment.Terms;
import jakarta.json.Json;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Exact conversion to atomic units, route resolution and the local checks of a payment against a route. */
class X402TermsTest {

    private static final X402Asset USDC = X402Asset.USDC_BASE_SEPOLIA;
    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    @Test
    void pricesConvertToAtomicUnitsExactly() {
        assertEquals(new BigInteger("10000"), USDC.atomic(new BigDecimal("0.01")));
        assertEquals(new BigInteger("1000"), USDC.atomic(new BigDecimal("0.001")));
        assertEquals(new BigInteger("1"), USDC.atomic(new BigDecimal("0.000001")));
        assertEquals(new BigInteger("1000000"), USDC.atomic(new BigDecimal("1")));
        assertEquals(new BigInteger("10000"), USDC.atomic(new BigDecimal("0.0100000000")), "trailing zeros are fine");
        assertEquals(new BigInteger("123456789012345678901234567890000000"),
                USDC.atomic(new BigDecimal("123456789012345678901234567890")));
        assertEquals(new BigDecimal("0.01"), USDC.whole(new BigInteger("10000")));
    }

    @Test
    void pricesFinerThanTheAssetOrNotPositiveAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> USDC.atomic(new BigDecimal("0.0000001")));
        assertTrue(e.getMessage().contains("finer than the asset's 6 decimals"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> USDC.atomic(BigDecimal.ZERO));
        assertThrows(IllegalArgumentException.class, () -> USDC.atomic(new BigDecimal("-1")));
        assertThrows(IllegalArgumentException.class, () -> new X402Asset("0x12", "USDC", "2", 6));
    }

    @Test
    void networksMapToTheirV1Names() {
        assertEquals("base-sepolia", X402Networks.v1Name("eip155:84532"));
        assertEquals("base", X402Networks.v1Name("eip155:8453"));
        assertEquals("eip155:84532", X402Networks.fromV1("base-sepolia"));
        assertEquals("eip155:8453", X402Networks.fromV1("base"));
        assertNull(X402Networks.v1Name("eip155:1"));
        assertTrue(X402Networks.isValid("eip155:1"));
        assertTrue(!X402Networks.isValid("base") && !X402Networks.isValid("eip155:") && !X402Networks.isValid(null));
    }

    private static X402Settings settings() {
        return X402Parameters.settings(null, "eip155:84532", null, Payments.PAY_TO, 60, Duration.ofDays(1), null,
                java.time.Clock.fixed(NOW, java.time.ZoneOffset.UTC));
    }

    @Test
    void routesTakeTheAnnotationsPriceElseAPriceInTheAssetsName() throws Exception {
        Terms quote = new Terms(Money.credits("1"), null, "A quote", "GET quote", TestServlets.Quote.class, null);
        X402Route r = X402Routes.resolve(quote, settings());
        assertEquals(new BigInteger("1000"), r.amount());
        assertEquals("A quote", r.description());
        Terms forecast = new Terms(Money.parse("0.01", "USDC"), null, null, "GET forecast",
                TestServlets.Forecast.class, null);
        assertEquals(new BigInteger("10000"), X402Routes.resolve(forecast, settings()).amount());
        Terms credits = new Terms(Money.credits("3"), null, null, "GET u", TestServlets.Unpriceable.class, null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> X402Routes.resolve(credits, settings()));
        assertTrue(e.getMessage().contains("GET u") && e.getMessage().contains("credits"), e.getMessage());
        Terms tooFine = new Terms(Money.parse("0.0000001", "USDC"), null, null, "GET fine", null, null);
        assertThrows(IllegalArgumentException.class, () -> X402Routes.resolve(tooFine, settings()));
        Terms onBase = new Terms(Money.parse("0.01", "USDC"), null, null, "GET base", OnBase.class, null);
        X402Route base = X402Routes.resolve(onBase, settings());
        assertEquals("0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913", base.asset().address());
        assertEquals("USD Coin", base.asset().name());
        Terms onMainnet = new Terms(Money.parse("0.01", "USDC"), null, null, "GET l1", OnMainnet.class, null);
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> X402Routes.resolve(onMainnet, settings()));
        assertTrue(unknown.getMessage().contains("GET l1") && unknown.getMessage().contains("no known USDC"),
                unknown.getMessage());
    }

    @X402(network = "eip155:8453")
    static final class OnBase {
    }

    @X402(network = "eip155:1")
    static final class OnMainnet {
    }

    private static X402Route route() {
        return new X402Route("GET forecast", "eip155:84532", USDC, Payments.PAY_TO, new BigDecimal("0.01"),
                new BigInteger("10000"), 60, "A forecast", "application/json", false);
    }

    private static String check(String header) throws Exception {
        return X402Routes.mismatch(X402Codec.decodePayment(X402Codec.PAYMENT_SIGNATURE, header), route(), NOW,
                Duration.ofSeconds(6), Duration.ofMinutes(10));
    }

    private static String withAccepted(String member, jakarta.json.JsonValue value) {
        var accepted = Json.createObjectBuilder(Payments.accepted("10000").build()).add(member, value).build();
        return Payments.encode(Json.createObjectBuilder().add("x402Version", 2).add("accepted", accepted)
                .add("payload", Payments.payload("10000", NOW, Payments.nonce())).build());
    }

    @Test
    void aPaymentMatchesOnlyItsRoutesRequirement() throws Exception {
        assertNull(check(Payments.v2("10000", NOW)));
        assertEquals("amount_mismatch", check(Payments.v2("1000", NOW)));
        assertEquals("requirement_mismatch", check(withAccepted("network", Json.createValue("eip155:8453"))));
        assertEquals("requirement_mismatch", check(withAccepted("asset",
                Json.createValue("0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"))));
        assertEquals("requirement_mismatch", check(withAccepted("payTo",
                Json.createValue("0x0000000000000000000000000000000000000001"))));
        assertEquals("unsupported_scheme", check(withAccepted("scheme", Json.createValue("upto"))));
        assertEquals("requirement_mismatch", check(withAccepted("maxTimeoutSeconds", Json.createValue(600))));
        assertEquals(null, check(withAccepted("payTo", Json.createValue(Payments.PAY_TO.toLowerCase()))),
                "addresses compare without case");
    }

    @Test
    void theValidityWindowIsCheckedOnTheInjectedClock() throws Exception {
        assertEquals("authorization_expired", check(Payments.v2("10000", NOW.minusSeconds(55))));
        assertEquals("authorization_not_yet_valid", check(Payments.v2("10000", NOW.plusSeconds(601))));
        assertNull(check(Payments.v2("10000", NOW.minusSeconds(50))));
    }
}
