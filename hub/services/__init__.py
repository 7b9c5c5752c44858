"""Writes. Each service checks permission and input, then writes in one transaction."""
