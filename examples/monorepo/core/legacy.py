"""Code the MATRIZ migration has not reached yet."""
import importlib

import matriz as mz
import matriz.core
from matriz.core import VERSION


def load():
    return importlib.import_module("matriz.core")


def version():
    return (VERSION, mz.__name__, matriz.core.VERSION)
