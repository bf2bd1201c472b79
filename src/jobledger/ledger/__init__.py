"""Reading the ledger: text files -> entries -> the ledger (every application, full history)."""
