"""Plugin bootstrap: extends sys.path before importing plugins."""
import os
import sys

PLUGIN_DIR = os.path.join(os.path.dirname(__file__), "plugins")
sys.path.insert(0, PLUGIN_DIR)  # noqa: RUN001 -- plugin loader, ISSUE-1234 until=2027-06-30
print("bootstrapping")

import plugins  # covered by the central [[exceptions]] entry in rulegate.toml
