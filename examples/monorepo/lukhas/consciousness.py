"""Consciousness engines (some names moved to candidate/ and were never bridged)."""
from enum import Enum

__all__ = ["AutoConsciousness", "Phase"]


class Phase(Enum):
    AWAKE = "awake"


class AutoConsciousness:
    def __init__(self, level=1):
        self.level = level
