import os

os.environ["APP_MODE"] = "production"
__all__ = ["DEBUG"]

import sys  # os.environ changes and __all__ keep the import block open

DEBUG = sys.flags.debug
