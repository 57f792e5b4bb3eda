"""The land ledger's pure rules and models: no I/O, standard library only."""
