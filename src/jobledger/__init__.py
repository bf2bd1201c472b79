"""jobledger: a plain-text ledger for a job hunt."""

__version__ = "0.1.0"
