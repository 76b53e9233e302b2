/**
 * A {@link dev.tollgate.spi.Ledger} in PostgreSQL: {@link dev.tollgate.ledger.postgresql.PostgresLedger}.
 * Balances, holds, idempotency records and replayable responses live in tables of one schema, so
 * every node of a cluster shares them. The rest of this package is the ledger's parts, each in its
 * own file: the statements it runs, the life of a hold, the group commit of concurrent reserves and
 * commits, idempotency records, the sweeper of overdue holds, schema migrations and account
 * administration.
 *
 * <p>Configured in code ({@link dev.tollgate.ledger.postgresql.PostgresLedger#builder}) or by
 * parameters ({@code tollgate.ledger=dev.tollgate.ledger.postgresql.PostgresLedger},
 * {@code tollgate.jdbc.*} and {@code tollgate.postgresql.groupCommit}, which this module declares
 * through {@link dev.tollgate.spi.ParameterNames}); see {@code docs/postgresql.md}.
 */
package dev.tollgate.ledger.postgresql;
