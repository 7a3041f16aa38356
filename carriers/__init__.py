"""Carrier adapters: each carrier's native plan and rate files into the common schema."""
