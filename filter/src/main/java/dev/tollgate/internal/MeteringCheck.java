package dev.tollgate.internal;

import dev.tollgate.InvalidPolicyException;
import dev.tollgate.spi.Ledger;
import java.util.Map;

/**
 * Refuses a metered endpoint ({@code @RequiresPayment(metered = true)}) when the ledger cannot
 * charge part of a hold: charging the whole maximum instead would overcharge. Immutable.
 */
final class MeteringCheck {

    private final String refusal;

    MeteringCheck(Ledger ledger) {
        this.refusal = ledger.commitsActualAmounts() ? null : "the ledger " + ledger.getClass().getName()
                + " cannot charge part of a hold (Ledger.commitsActualAmounts() is false): use a ledger that can,"
                + " such as the built-in ones, or remove metered = true";
    }

    /**
     * Checks every policy of a table.
     *
     * @throws InvalidPolicyException naming the first metered endpoint, if the ledger cannot meter
     */
    void check(PolicyTable table) {
        if (refusal == null) {
            return;
        }
        for (MethodPolicies policies : table.servlets().values()) {
            for (Map.Entry<String, Policy> e : policies.all().entrySet()) {
                check(e.getValue());
            }
        }
    }

    /**
     * Checks one policy.
     *
     * @param policy the policy, or {@code null}
     * @return the policy
     * @throws InvalidPolicyException if it is metered and the ledger cannot meter
     */
    Policy check(Policy policy) {
        if (refusal != null && policy != null && policy.payment() != null && policy.payment().metered()) {
            throw new InvalidPolicyException("@RequiresPayment(metered = true) on " + policy.origin() + ": " + refusal);
        }
        return policy;
    }
}
