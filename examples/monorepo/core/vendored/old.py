x = 1
import os  # excluded by extend-exclude: never linted
