"""Commands that write the ledger. Each one checks what it is about to write by reading it back
with the parser, and writes through `files.write_atomic`: nothing typed may ever be lost."""
