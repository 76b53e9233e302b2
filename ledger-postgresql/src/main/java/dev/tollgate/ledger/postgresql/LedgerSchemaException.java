package dev.tollgate.ledger.postgresql;

/**
 * The ledger's tables are missing or not at the version this library needs: create or migrate them
 * ({@link PostgresLedger#createSchema()}, or {@code tollgate.jdbc.createSchema=true}). A deployment
 * defect, not an outage; Tollgate answers 503 and logs it as an error.
 */
public class LedgerSchemaException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is missing and how to create it
     * @param cause the database error
     */
    public LedgerSchemaException(String message, Throwable cause) {
        super(message, cause);
    }
}
