"""Shipped example scenarios (package data)."""
