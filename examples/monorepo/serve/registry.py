"""Plugin loading: the allowed registry pattern and the forbidden shortcuts."""
import importlib
from typing import TYPE_CHECKING

from candidate.plugins import echo  # a static import of the candidate lane

if TYPE_CHECKING:
    from candidate.experiment import result  # typing-only, still reported


def plugin(name):
    # Registry pattern: a literal prefix says which lane is reached.
    return importlib.import_module(f"candidate.plugins.{name}")


def anything(spec):
    import candidate.experiment  # nested in a function, still an import

    return importlib.import_module(spec.module)  # no literal prefix: LANE002


def fallback():
    return __import__("candidate.plugins.echo"), echo
