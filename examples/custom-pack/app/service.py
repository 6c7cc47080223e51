import logging

logger = logging.getLogger(__name__)


def run(value):
    if value == None:
        print("no value")
    return value
