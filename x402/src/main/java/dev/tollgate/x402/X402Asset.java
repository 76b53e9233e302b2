package dev.tollgate.x402;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An EIP-3009 token a price is paid in: its contract address, the EIP-712 domain name and version
 * the client signs with, and its decimals. Immutable.
 *
 * @param address the contract address, {@code 0x} and 40 hex digits
 * @param name the EIP-712 domain name, such as {@code USDC} (Base Sepolia) or {@code USD Coin} (Base)
 * @param version the EIP-712 domain version, such as {@code 2}
 * @param decimals the token's decimals, 0 to 36 (USDC: 6)
 */
public record X402Asset(String address, String name, String version, int decimals) {

    static final Pattern ADDRESS = Pattern.compile("0x[0-9a-fA-F]{40}");

    /** USDC on Base Sepolia ({@code eip155:84532}), the default asset: name {@code USDC}, version 2, 6 decimals. */
    public static final X402Asset USDC_BASE_SEPOLIA =
            new X402Asset("0x036CbD53842c5426634e7929541eC2318f3dCF7e", "USDC", "2", 6);

    // Validates.
    public X402Asset {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        if (!ADDRESS.matcher(address).matches()) {
            throw new IllegalArgumentException("asset address \"" + address + "\" is not 0x and 40 hex digits");
        }
        if (name.isBlank() || name.length() > 64 || version.isBlank() || version.length() > 16) {
            throw new IllegalArgumentException("asset " + address + ": the EIP-712 name (1 to 64 characters) and"
                    + " version (1 to 16) are required");
        }
        if (decimals < 0 || decimals > 36) {
            throw new IllegalArgumentException("asset " + address + ": decimals " + decimals + " is not 0 to 36");
        }
    }

    /**
     * Converts a price in whole units to the token's atomic units, exactly.
     *
     * @param price such as {@code 0.01}
     * @return such as {@code 10000} for 6 decimals
     * @throws IllegalArgumentException if the price is not positive, or finer than the token's decimals
     */
    public BigInteger atomic(BigDecimal price) {
        if (price.signum() <= 0) {
            throw new IllegalArgumentException("price " + price.toPlainString() + " must be above zero");
        }
        BigDecimal scaled = price.movePointRight(decimals).stripTrailingZeros();
        if (scaled.scale() > 0) {
            throw new IllegalArgumentException("price " + price.toPlainString() + " is finer than the asset's "
                    + decimals + " decimals");
        }
        return scaled.toBigIntegerExact();
    }

    /**
     * {@return an amount of atomic units in whole units} such as {@code 0.01} for {@code 10000}
     *
     * @param atomic the atomic units
     */
    public BigDecimal whole(BigInteger atomic) {
        return new BigDecimal(atomic, decimals).stripTrailingZeros();
    }
}
