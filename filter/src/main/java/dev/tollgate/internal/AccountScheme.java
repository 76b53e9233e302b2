package dev.tollgate.internal;

import dev.tollgate.TollgateConfig;
import dev.tollgate.spi.Charge;
import dev.tollgate.spi.DenialReason;
import dev.tollgate.spi.Hold;
import dev.tollgate.spi.Idempotency;
import dev.tollgate.spi.InvalidCredentialsException;
import dev.tollgate.spi.Payer;
import dev.tollgate.spi.PaymentOption;
import dev.tollgate.spi.RecordedResponse;
import dev.tollgate.spi.Reservation;
import dev.tollgate.spi.payment.Committed;
import dev.tollgate.spi.payment.MalformedCredentialException;
import dev.tollgate.spi.payment.Offer;
import dev.tollgate.spi.payment.PaymentScheme;
import dev.tollgate.spi.payment.Reserved;
import dev.tollgate.spi.payment.Terms;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Map;

/**
 * The built-in payment scheme {@value PaymentScheme#ACCOUNT}: a prepaid account named by an API key
 * or bearer token, paid through the {@link dev.tollgate.spi.Ledger}'s hold, commit and release
 * ({@link Reservations}). Its credential is the payer that {@link PayerIdentification} found at the
 * start of admission (rate limits key by it), so the pipeline hands that payer in rather than
 * calling {@link #credential} again. Thread-safe.
 */
final class AccountScheme implements PaymentScheme<Payer, Hold> {

    private static final System.Logger LOG = System.getLogger("dev.tollgate");

    private final TollgateConfig config;
    private final PayerIdentification payers;
    private final Reservations reservations;

    AccountScheme(TollgateConfig config, PayerIdentification payers, Reservations reservations) {
        this.config = config;
        this.payers = payers;
        this.reservations = reservations;
    }

    @Override
    public String name() {
        return ACCOUNT;
    }

    @Override
    public Offer offer(Terms terms) {
        return new Offer(List.of(option(terms)), List.of());
    }

    /** The account option of a 402 for a missing credential. */
    PaymentOption option(Terms terms) {
        return new PaymentOption(PaymentOption.ACCOUNT, terms.price(), "Present the key of a funded account.",
                Map.of("header", config.apiKeyHeader()));
    }

    @Override
    public Payer credential(HttpServletRequest request) throws MalformedCredentialException {
        try {
            return payers.resolve(request);
        } catch (InvalidCredentialsException e) {
            throw new MalformedCredentialException(e.getMessage());
        }
    }

    @Override
    public Reserved<Hold> reserve(Payer payer, Terms terms, Idempotency idempotency) {
        try {
            payer = payers.translate(payer); // a key not looked up yet: by its hash, never the key
        } catch (RuntimeException e) {
            reservations.ledgerFailed("findKey", e);
            return new Reserved.Refused<>(Refusals.ledgerUnavailable(config.ledgerRetryAfter()));
        }
        Reservation reservation = reservations.reserve(new Charge(payer.accountId(), terms.price(), terms.entitlement(),
                terms.resource(), idempotency));
        if (!(reservation instanceof Reservation.Denied d && d.reason() == DenialReason.UNKNOWN_ACCOUNT)) {
            payers.verified(payer, null);
        }
        if (reservation == null) {
            return new Reserved.Refused<>(Refusals.ledgerUnavailable(config.ledgerRetryAfter()));
        }
        if (reservation instanceof Reservation.Authorized authorized) {
            if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
                LOG.log(System.Logger.Level.DEBUG, "hold {0} for {1} {2}", authorized.hold().id(), terms.resource(),
                        terms.price());
            }
            return new Reserved.Held<>(authorized.hold(), authorized.hold(), payer, authorized.balance());
        } else if (reservation instanceof Reservation.Denied denied) {
            return new Reserved.Refused<>(Refusals.denied(denied, terms, config.ledgerRetryAfter()));
        } else if (reservation instanceof Reservation.Replay replay) {
            return new Reserved.Replayed<>(replay.response());
        } else if (reservation instanceof Reservation.Conflict conflict) {
            return new Reserved.Refused<>(conflict.kind() == Reservation.ConflictKind.IN_PROGRESS
                    ? Refusals.idempotencyInProgress(conflict.retryAfter()) : Refusals.idempotencyKeyReused());
        }
        throw new IllegalStateException("unknown reservation " + reservation);
    }

    @Override
    public Committed commit(Hold hold, RecordedResponse recorded, boolean canReplace) {
        return commit(hold, null, recorded, canReplace);
    }

    @Override
    public Committed commit(Hold hold, dev.tollgate.Money actual, RecordedResponse recorded, boolean canReplace) {
        String refusal = reservations.commit(hold, actual, recorded, canReplace);
        if (refusal != null) {
            return new Committed.Unknown(refusal);
        }
        String header = config.billing().balanceHeader();
        return header == null || !canReplace ? Committed.paid() : withBalance(header, hold);
    }

    /**
     * The opt-in balance header on a charged response, added before the buffered body is sent: the
     * available balance read after the commit. A failed read costs the header only, never the
     * response, since the charge has been made.
     */
    private Committed withBalance(String header, Hold hold) {
        try {
            java.util.Optional<dev.tollgate.spi.Account> a = reservations.ledger().account(hold.account());
            if (a.isPresent()) {
                return new Committed.Paid(List.of(Map.entry(header, a.get().balance().amount().toPlainString())));
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "Balance after hold {0} not read: {1}", hold.id(), e.toString());
        }
        return Committed.paid();
    }

    @Override
    public boolean commitsActualAmounts() {
        return reservations.commitsActualAmounts();
    }

    @Override
    public void release(Hold hold, String why) {
        reservations.release(hold, why);
    }
}
