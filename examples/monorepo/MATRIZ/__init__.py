"""The renamed integration package (the MATRIZ migration)."""
