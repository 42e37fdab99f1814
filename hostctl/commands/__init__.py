"""hostctl's commands: presentation only; the clients do the work."""
