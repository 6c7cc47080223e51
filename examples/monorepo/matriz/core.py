"""Integration lane: E402 applies, RUN rules do not."""
VERSION = "1.0"

import json

CONFIG = eval("{}")
