"""Use cases: one function per user intent; the caller owns the transaction."""
