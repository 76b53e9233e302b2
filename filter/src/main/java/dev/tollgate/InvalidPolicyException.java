package dev.tollgate;

/**
 * Thrown at start-up when a {@code @RequiresPayment}, {@code @RateLimited} or {@code @Free}
 * annotation is invalid. The message names the class, the method and the member, such as
 * {@code @RequiresPayment on com.example.ReportsServlet.doGet: price "-5" is not a plain
 * non-negative decimal number}. The filter turns it into a failed deployment.
 */
public class InvalidPolicyException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is wrong and where
     */
    public InvalidPolicyException(String message) {
        super(message);
    }
}
