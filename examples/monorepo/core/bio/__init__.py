"""The bio package: Python imports this."""
