"""metasyn distributions of our own, found by metasyn through the entry point
``metasyn.distribution_registry`` (see pyproject.toml)."""

fitters: list = []
