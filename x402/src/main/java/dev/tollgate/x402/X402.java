package dev.tollgate.x402;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The x402 terms of a priced endpoint, next to its {@code @RequiresPayment(schemes = "x402")}: on
 * the servlet or resource class, or on one of its methods (the method's wins). Every member left
 * empty takes the scheme's default ({@code tollgate.x402.*} parameters or
 * {@link X402Scheme.Builder}). Without this annotation an endpoint's x402 price is its
 * {@code @RequiresPayment} price when that is written in the asset's name (such as
 * {@code currency = "USDC"}); any other currency stops the start, naming the endpoint.
 *
 * <p>Values are checked when Tollgate starts (servlets) or on first use (Jakarta REST resources):
 * a price finer than the asset's decimals, an unknown network or a malformed address is refused
 * with a message naming the endpoint and the member.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface X402 {

    /**
     * @return the price of one call in the asset's whole units, as an exact decimal ({@code "0.01"}
     *     for one US cent in USDC); at most as many decimal places as the asset has; empty for the
     *     {@code @RequiresPayment} price
     */
    String price() default "";

    /** @return the CAIP-2 network, such as {@code eip155:8453}; empty for the default */
    String network() default "";

    /** @return the token contract address ({@code 0x} and 40 hex digits); empty for the default */
    String asset() default "";

    /** @return the address that receives the payment; empty for the default */
    String payTo() default "";

    /** @return how long a signed payment may take to settle, in seconds; 0 for the default (60) */
    int maxTimeoutSeconds() default 0;

    /** @return what the client pays for; empty for {@code @RequiresPayment(description)} */
    String description() default "";

    /** @return the media type of the paid response; empty for {@code application/json} */
    String mimeType() default "";

    /**
     * @return whether a request must carry a payment-identifier ({@code extensions."payment-identifier"});
     *     a request without one is refused with 400
     */
    boolean paymentIdentifierRequired() default false;
}
