"""Candidate plugins, loaded through the registry."""
