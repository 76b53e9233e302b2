package dev.tollgate;

/**
 * A configuration value that a settings class refuses. The message names the parameter and the
 * value, such as {@code Tollgate parameter tollgate.rateLimit.maxBuckets = "0": must be at least 1},
 * whether the value came from a parameter or from a {@link TollgateConfig.Builder} method; the
 * reason alone lets {@link TollgateConfig.Builder#apply} repeat the value as the user wrote it.
 */
final class InvalidParameterException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String reason;

    /**
     * @param parameter the parameter's name, such as {@code tollgate.rateLimit.maxBuckets}
     * @param value the refused value
     * @param reason why, such as {@code must be at least 1}
     */
    InvalidParameterException(String parameter, Object value, String reason) {
        super(message(parameter, String.valueOf(value), reason));
        this.reason = reason;
    }

    /** {@return the one wording of a refused value} */
    static String message(String parameter, String value, String reason) {
        return "Tollgate parameter " + parameter + " = \"" + value + "\": " + reason;
    }

    /** {@return why the value was refused, without the parameter and the value} */
    String reason() {
        return reason;
    }
}
