"""Assembling, running and summarising LineLab simulations; the ``linelab`` command."""

__version__ = "0.1.0"
