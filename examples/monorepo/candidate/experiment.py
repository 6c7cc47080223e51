"""Experimental lane: exempt from E402 and the runtime-trick rules."""
import sys

sys.path.insert(0, "/tmp/experiments")

import numpy_like  # candidate code may do this

result = eval("1 + 1")


# TODO: candidate code may keep bare TODOs
