"""The two sections' public faces: `utility` and `privacy` re-export the measures of their
modules (public names only), and `synthspectrum.measures` exports the same functions."""

import importlib

import pytest

import synthspectrum.measures as measures
from synthspectrum.measures import privacy, utility


@pytest.mark.parametrize("face, modules", [
    (utility, ["marginal", "bivariate", "propensity", "tables", "specific", "bounds"]),
    (privacy, ["matching", "distance"]),
])
def test_faces_reexport_public_names_only(face, modules):
    assert face.__all__ and all(not n.startswith("_") for n in face.__all__)
    homes = [importlib.import_module(f"synthspectrum.measures.{m}") for m in modules]
    for name in face.__all__:
        # each name is the very object of the module that defines it
        assert any(getattr(h, name, None) is getattr(face, name) for h in homes), name
    public = {n for n in vars(face) if not n.startswith("_")} - {"annotations"}
    assert public == set(face.__all__)


def test_the_package_exports_the_measures():
    for name in measures.__all__:
        face = utility if name in utility.__all__ else privacy
        assert getattr(measures, name) is getattr(face, name), name
    assert {"utility_gen", "utility_tab", "replicated_uniques", "disclosure", "dcr"} <= set(measures.__all__)
    with pytest.raises(AttributeError):
        measures.no_such_measure  # noqa: B018
