"""The report: the ledger seen at a date, its numbers as typed values, and the insights."""
