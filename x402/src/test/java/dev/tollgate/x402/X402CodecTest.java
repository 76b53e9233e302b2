package dev.tollgate.x402;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tollgate.spi.payment.MalformedCredentialException;
import java.math.BigDecimal;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;

/**
 * The header codecs against the examples of the x402 v2 HTTP transport specification
 * ({@code specs/transports-v2/http.md}): what Tollgate encodes is the example's base64 byte for
 * byte, and what it decodes from an example re-encodes to the same bytes.
 */
class X402CodecTest {

    /** The specification's {@code PAYMENT-REQUIRED} example. */
    static final String SPEC_REQUIRED = "eyJ4NDAyVmVyc2lvbiI6MiwiZXJyb3IiOiJQQVlNRU5ULVNJR05BVFVSRSBoZWFkZXIgaXMgcmVxdWly"
            + "ZWQiLCJyZXNvdXJjZSI6eyJ1cmwiOiJodHRwczovL2FwaS5leGFtcGxlLmNvbS9wcmVtaXVtLWRhdGEiLCJkZXNjcmlwdGlvbiI6IkFj"
            + "Y2VzcyB0byBwcmVtaXVtIG1hcmtldCBkYXRhIiwibWltZVR5cGUiOiJhcHBsaWNhdGlvbi9qc29uIn0sImFjY2VwdHMiOlt7InNjaGVt"
            + "ZSI6ImV4YWN0IiwibmV0d29yayI6ImVpcDE1NTo4NDUzMiIsImFtb3VudCI6IjEwMDAwIiwiYXNzZXQiOiIweDAzNkNiRDUzODQyYzU0"
            + "MjY2MzRlNzkyOTU0MWVDMjMxOGYzZENGN2UiLCJwYXlUbyI6IjB4MjA5NjkzQmM2YWZjMEM1MzI4YkEzNkZhRjAzQzUxNEVGMzEyMjg3"
            + "QyIsIm1heFRpbWVvdXRTZWNvbmRzIjo2MCwiZXh0cmEiOnsibmFtZSI6IlVTREMiLCJ2ZXJzaW9uIjoiMiJ9fV19";
    /** The specification's {@code PAYMENT-SIGNATURE} example. */
    static final String SPEC_SIGNATURE = "eyJ4NDAyVmVyc2lvbiI6MiwicmVzb3VyY2UiOnsidXJsIjoiaHR0cHM6Ly9hcGkuZXhhbXBsZS5j"
            + "b20vcHJlbWl1bS1kYXRhIiwiZGVzY3JpcHRpb24iOiJBY2Nlc3MgdG8gcHJlbWl1bSBtYXJrZXQgZGF0YSIsIm1pbWVUeXBlIjoiYXBw"
            + "bGljYXRpb24vanNvbiJ9LCJhY2NlcHRlZCI6eyJzY2hlbWUiOiJleGFjdCIsIm5ldHdvcmsiOiJlaXAxNTU6ODQ1MzIiLCJhbW91bnQi"
            + "OiIxMDAwMCIsImFzc2V0IjoiMHgwMzZDYkQ1Mzg0MmM1NDI2NjM0ZTc5Mjk1NDFlQzIzMThmM2RDRjdlIiwicGF5VG8iOiIweDIwOTY5"
            + "M0JjNmFmYzBDNTMyOGJBMzZGYUYwM0M1MTRFRjMxMjI4N0MiLCJtYXhUaW1lb3V0U2Vjb25kcyI6NjAsImV4dHJhIjp7Im5hbWUiOiJV"
            + "U0RDIiwidmVyc2lvbiI6IjIifX0sInBheWxvYWQiOnsic2lnbmF0dXJlIjoiMHgyZDZhNzU4OGQ2YWNjYTUwNWNiZjBkOWE0YTIyN2Uw"
            + "YzUyYzZjMzQwMDhjOGU4OTg2YTEyODMyNTk3NjQxNzM2MDhhMmNlNjQ5NjY0MmUzNzdkNmRhOGRiYmY1ODM2ZTliZDE1MDkyZjllY2Fi"
            + "MDVkZWQzZDYyOTNhZjE0OGI1NzFjIiwiYXV0aG9yaXphdGlvbiI6eyJmcm9tIjoiMHg4NTdiMDY1MTlFOTFlM0E1NDUzODc5MWJEYmIw"
            + "RTIyMzczZTM2YjY2IiwidG8iOiIweDIwOTY5M0JjNmFmYzBDNTMyOGJBMzZGYUYwM0M1MTRFRjMxMjI4N0MiLCJ2YWx1ZSI6IjEwMDAw"
            + "IiwidmFsaWRBZnRlciI6IjE3NDA2NzIwODkiLCJ2YWxpZEJlZm9yZSI6IjE3NDA2NzIxNTQiLCJub25jZSI6IjB4ZjM3NDY2MTNjMmQ5"
            + "MjBiNWZkYWJjMDg1NmYyYWViMmQ0Zjg4ZWU2MDM3YjhjYzVkMDRhNzFhNDQ2MmYxMzQ4MCJ9fX0=";
    /** The specification's successful {@code PAYMENT-RESPONSE}. */
    static final String SPEC_SETTLED = "eyJzdWNjZXNzIjp0cnVlLCJ0cmFuc2FjdGlvbiI6IjB4MTIzNDU2Nzg5MGFiY2RlZjEyMzQ1Njc4OTBh"
            + "YmNkZWYxMjM0NTY3ODkwYWJjZGVmMTIzNDU2Nzg5MGFiY2RlZiIsIm5ldHdvcmsiOiJlaXAxNTU6ODQ1MzIiLCJwYXllciI6IjB4ODU3"
            + "YjA2NTE5RTkxZTNBNTQ1Mzg3OTFiRGJiMEUyMjM3M2UzNmI2NiJ9";
    /** The specification's failed {@code PAYMENT-RESPONSE}. */
    static final String SPEC_FAILED = "eyJzdWNjZXNzIjpmYWxzZSwiZXJyb3JSZWFzb24iOiJpbnN1ZmZpY2llbnRfZnVuZHMiLCJuZXR3b3Jr"
            + "IjoiZWlwMTU1Ojg0NTMyIn0=";

    private static final String SPEC_PAY_TO = "0x209693Bc6afc0C5328bA36FaF03C514EF312287C";
    private static final String SPEC_PAYER = "0x857b06519E91e3A54538791bDbb0E22373e36b66";

    static X402Route specRoute() {
        return new X402Route("POST premium-data", "eip155:84532", X402Asset.USDC_BASE_SEPOLIA, SPEC_PAY_TO,
                new BigDecimal("0.01"), new BigInteger("10000"), 60, "Access to premium market data",
                "application/json", false);
    }

    @Test
    void paymentRequiredIsTheSpecificationsExampleByteForByte() {
        assertEquals(SPEC_REQUIRED, X402Codec.encode(X402Codec.paymentRequired("PAYMENT-SIGNATURE header is required",
                "https://api.example.com/premium-data", specRoute())));
    }

    @Test
    void theSpecificationsPaymentDecodesAndReencodesByteForByte() throws Exception {
        X402Payment p = X402Codec.decodePayment("PAYMENT-SIGNATURE", SPEC_SIGNATURE);
        assertEquals(SPEC_SIGNATURE, X402Codec.encode(p.raw()));
        assertEquals(2, p.version());
        assertEquals("eip155:84532", p.network());
        assertEquals(SPEC_PAYER, p.from());
        assertEquals(SPEC_PAY_TO, p.to());
        assertEquals(new BigInteger("10000"), p.value());
        assertEquals(1740672089L, p.validAfter());
        assertEquals(1740672154L, p.validBefore());
        assertEquals("0xf3746613c2d920b5fdabc0856f2aeb2d4f88ee6037b8cc5d04a71a4462f13480", p.nonce());
        assertNull(p.paymentId());
        // What the client accepted is the route's requirement, member for member.
        assertEquals(specRoute().requirement(), p.accepted());
    }

    @Test
    void settlementAnswersAreTheSpecificationsExamplesByteForByte() {
        assertEquals(SPEC_SETTLED, X402Codec.encode(X402Codec.settlement(true, null,
                "0x1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef", "eip155:84532", SPEC_PAYER)));
        assertEquals(SPEC_FAILED, X402Codec.encode(X402Codec.settlement(false, "insufficient_funds", "",
                "eip155:84532", null)));
    }

    @Test
    void aV2PaymentInTheV1HeaderAndTheReverseAreMalformed() {
        assertThrows(MalformedCredentialException.class, () -> X402Codec.decodePayment("X-PAYMENT", SPEC_SIGNATURE));
        String v1 = Payments.v1("10000", java.time.Instant.now());
        assertThrows(MalformedCredentialException.class, () -> X402Codec.decodePayment("PAYMENT-SIGNATURE", v1));
    }

    @Test
    void messagesNeverEchoTheHeader() {
        MalformedCredentialException e = assertThrows(MalformedCredentialException.class,
                () -> X402Codec.decodePayment("PAYMENT-SIGNATURE", Payments.base64("{\"x402Version\":2,\"secret\":1}")));
        assertEquals(-1, e.getMessage().indexOf("secret"));
    }
}
