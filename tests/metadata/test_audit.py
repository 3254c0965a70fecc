import json

import numpy as np
import polars as pl
import pytest

from synthspectrum.metadata.audit import _literal_runs, audit, format_audit
from synthspectrum.errors import ColumnError, SynthSpectrumError
from synthspectrum.metadata.model import fit_metadata, load


@pytest.fixture(scope="module")
def planted():
    """Ages 18-89 plus one planted 117-year-old; a category held by one record; copied text."""
    rng = np.random.default_rng(1)
    n = 2000
    return pl.DataFrame({
        "age": np.append(rng.integers(18, 90, n - 1), 117),
        "cat": ["a"] * 1000 + ["b"] * 999 + ["rare"],
        "ref": [f"REF-{i:05d}x" for i in rng.integers(0, 99_999, n)],
        "site": ["same"] * n,
    })


def _findings(findings, column, severity=None):
    f = findings.filter(pl.col("column") == column)
    return f if severity is None else f.filter(pl.col("severity") == severity)


def test_flags_the_planted_extreme_and_the_rare_category(planted):
    findings = audit(fit_metadata(planted), real=planted)
    high_age = _findings(findings, "age", "high")
    assert high_age.height == 1 and "117" in high_age["detail"][0]
    rare = _findings(findings, "cat", "high")
    assert rare.height == 1 and "'rare'" in rare["detail"][0] and "about 1 record" in rare["detail"][0]
    assert "'REF-'" in _findings(findings, "ref", "medium")["detail"][0]
    assert "'same'" in _findings(findings, "site", "medium")["detail"][0]
    # most severe first
    order = findings["severity"].to_list()
    assert order == sorted(order, key=["high", "medium", "low", "info"].index)


def test_without_the_data_bounds_of_an_unprotected_fit_are_presumed_real(planted):
    findings = audit(fit_metadata(planted))
    assert "117" in _findings(findings, "age", "high")["detail"][0]


def test_quiet_where_disclosure_control_removed_them(planted):
    findings = audit(fit_metadata(planted, privacy="disclosure"), real=planted)
    assert findings.filter(pl.col("severity").is_in(["high", "medium"])).height == 0
    assert findings.filter(pl.col("detail").str.contains("117|'rare'|REF-")).height == 0


def test_extremes_held_by_many_records_are_low():
    df = pl.DataFrame({"m": [1] * 30 + list(range(2, 100)) + [100] * 30})
    findings = audit(fit_metadata(df), real=df)
    assert _findings(findings, "m", "high").height == 0


def test_literal_runs_in_regexes():
    assert _literal_runs(r"REF\-[0-9]{5}x") == ["REF-"]
    assert _literal_runs(r"[A-Z][a-z]{2,9}[,][ ][M]") == []
    assert _literal_runs(r"[i][n][j][u][r][y]|[a-z]{3}") == ["injury"]
    assert _literal_runs(r"\d{3}ABC") == ["ABC"]


def test_format_and_input_checks(planted):
    text = format_audit(audit(fit_metadata(planted)))
    assert text.splitlines()[0].startswith("HIGH")
    assert text.splitlines()[-1].startswith("(")
    with pytest.raises(SynthSpectrumError, match="audit takes a fitted model.*not list"):
        audit([1, 2])
    with pytest.raises(SynthSpectrumError, match="k must be a whole number"):
        audit(fit_metadata(planted), k=0)
    with pytest.raises(SynthSpectrumError, match="format_audit takes the frame that audit returns, not str"):
        format_audit("HIGH age")


def test_data_missing_a_model_column_is_a_column_error(planted):
    """Without the column, its stored bounds could not be checked against the real extremes."""
    with pytest.raises(ColumnError, match="data has no column 'cat'"):
        audit(fit_metadata(planted), real=planted.drop("cat"))
    # more columns than the model are fine
    assert audit(fit_metadata(planted.select("age")), real=planted).height > 0


def test_audit_refuses_what_synthesize_refuses(planted, tmp_path):
    """One loader for both: the same one-line SynthSpectrumError, never a TypeError or KeyError."""
    for path, content in [("none.json", None), ("bad.json", "{not json"), ("other.json", '{"hello": 1}'),
                          ("broken.json", '{"n_rows": 3, "vars": [{"name": "a"}]}')]:
        if content is not None:
            (tmp_path / path).write_text(content)
        with pytest.raises(SynthSpectrumError) as from_load:
            load(tmp_path / path)
        with pytest.raises(SynthSpectrumError) as from_audit:
            audit(tmp_path / path)
        assert str(from_audit.value) == str(from_load.value) and "\n" not in str(from_load.value)
        with pytest.raises(SynthSpectrumError):
            audit(str(tmp_path / path))
    # the same content as a dict is refused with the same words (only the name of the source differs)
    for gmf in ({"hello": 1}, {"n_rows": 3, "vars": [{"name": "a"}]}):
        with pytest.raises(SynthSpectrumError, match="the model dict is not a"):
            audit(gmf)
    # what load accepts, audit accepts, as a path or a dict
    path = fit_metadata(planted).save(tmp_path / "m.json")
    by_path = audit(path, real=planted)
    assert by_path.equals(audit(str(path), real=planted))
    assert by_path.equals(audit(json.loads(path.read_text()), real=planted))
    assert "117" in _findings(by_path, "age", "high")["detail"][0]


@pytest.mark.parametrize("frame", ["polars Enum", "pandas categorical"])
def test_a_rare_level_kept_in_the_columns_dtype_is_flagged_even_under_disclosure(planted, frame):
    # disclosure control leaves 'rare' out of the model, but an Enum's levels (a pandas
    # categorical's categories) are stored as the column's dtype, so the file still names it
    real = planted.select("cat").with_columns(pl.col("cat").cast(pl.Enum(["a", "b", "rare", "never"])))
    given = real.to_pandas() if frame == "pandas categorical" else real
    model = fit_metadata(given, privacy="disclosure")
    assert "rare" not in set(model.synthesize(5000, seed=1)["cat"].astype(str) if frame != "polars Enum"
                             else model.synthesize(5000, seed=1)["cat"].cast(pl.String))
    findings = _findings(audit(model, real=given), "cat")
    high = findings.filter(pl.col("severity") == "high")
    assert high.height == 1 and "'rare'" in high["detail"][0] and "dtype" in high["detail"][0]
    assert "'never'" not in high["detail"][0]  # a level no record holds is the schema, not a record
    assert findings.filter(pl.col("detail").str.contains("'never'")).height == 1
    # without the data: the levels the protected model left out are named, as unknown in size
    unknown = _findings(audit(model), "cat").filter(pl.col("finding").str.contains("dtype"))
    assert unknown.height == 1 and unknown["severity"][0] == "medium" and "'rare'" in unknown["detail"][0]
