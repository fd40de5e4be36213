"""The invoice totals kept per day, currency and state, for the invoice list's totals."""
