"""Synthetic E-Town demo data: generated deterministically (`dataset`), loaded through the
public REST APIs exactly as the outside systems would send it (`loader`)."""
