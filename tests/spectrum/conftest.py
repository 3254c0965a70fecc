"""The spectrum's test fixtures: a generator registry that every test leaves as it found it."""

import pytest


@pytest.fixture
def generator_registry():
    """The session's generator registrations, put back as they were after the test."""
    from synthspectrum.spectrum import registry

    saved = dict(registry.REGISTERED)
    yield registry
    registry.REGISTERED.clear()
    registry.REGISTERED.update(saved)
