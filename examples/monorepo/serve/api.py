import sys

sys.path.append("/opt/legacy")
print("serving")

from core.app import load  # noqa: E402 -- needs the legacy path, until=2027-01-31
import logging  # noqa: E402, RUN002 -- one of these codes is not needed


def handle(request):
    exec(request.body)  # noqa -- blanket suppressions are flagged
    return load(request.body)
