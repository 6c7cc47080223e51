"""Shadowed by core/bio/: never imported."""
SEQUENCE = "ACGT"
