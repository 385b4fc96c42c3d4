"""The creator's video tools: trims (with an optional re-frame) and auto-hooks, run as jobs."""
