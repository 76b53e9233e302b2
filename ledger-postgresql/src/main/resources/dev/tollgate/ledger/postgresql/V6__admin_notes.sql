-- Tollgate ledger, schema version 6: operators' actions without money (opening an account, granting
-- or revoking an entitlement, issuing, importing, revoking or rotating a key) are entries of kind
-- 'note', with zero deltas and the reference "[admin:ACTOR] ACTION". Usage exports read only
-- 'commit' and 'reversal' entries, so a note is never a charge.
-- The list also holds 'allowance', the kind version 5 (monthly allowances) adds, so that applying this
-- version after that one keeps it.
-- NOT VALID skips re-reading the entries table: every row already passed the narrower check being
-- replaced. New rows are checked as usual.
ALTER TABLE ${schema}.entries DROP CONSTRAINT entries_kind_check;
ALTER TABLE ${schema}.entries ADD CONSTRAINT entries_kind_check
    CHECK (kind IN ('open', 'hold', 'commit', 'release', 'expiry', 'reversal', 'credit', 'debit', 'allowance',
                  'note')) NOT VALID;
