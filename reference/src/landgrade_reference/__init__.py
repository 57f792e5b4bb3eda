"""Reference data shared by every service and the demo, kept once: E-Town's streets and towns
(`jurisdictions`), and the identifier checks (`uscc`, `resident_ids`), which normalise (NFKC) and
check where an identifier enters. No framework, no I/O."""
