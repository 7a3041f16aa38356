"""Insurance quote comparison for IT vendors: the domain core (no web, no carrier formats)."""
