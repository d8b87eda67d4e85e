"""HTTP routes, one module per resource; each forwards to one service over IPC."""
