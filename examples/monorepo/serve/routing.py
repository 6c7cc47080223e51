"""Consumer of a production module that does not exist yet (STUB003)."""
from lukhas.orchestration.router import RouteMode, route


def handle(request):
    return route(request, mode=RouteMode)
