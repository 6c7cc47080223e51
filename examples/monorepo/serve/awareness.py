"""Consumer of lukhas.consciousness: pytest collection fails here today."""
from lukhas.consciousness import (
    AlertLevel,
    AutoConsciousness,
    AwarenessEngine,
    MAX_DEPTH,
    run_async_check,
    summarize,
)


def build():
    return AutoConsciousness(), AwarenessEngine(mode="x"), AlertLevel, MAX_DEPTH, summarize, run_async_check
