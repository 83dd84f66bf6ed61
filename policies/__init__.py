"""The crossdock CrossGuard pack: rule objects importable without starting the pack server."""
