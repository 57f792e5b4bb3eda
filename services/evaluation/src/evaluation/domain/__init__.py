"""Pure grading rules: facts + ruleset -> explained grade. Stdlib only, no I/O."""
