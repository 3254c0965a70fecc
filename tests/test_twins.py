"""The twins walk: every measure declared in ``synthspectrum.synthpop.TWINS`` exists three times
(Python-native, synthpop wrapper, R twin) with the same leading parameters (names, order,
defaults) and returns the same tidy frame (measure, column, value) with the same numbers.

The contract (CONTRIBUTING.md, "Adding a measure"; synthspectrum/synthpop/twins.py) is written down again here (``CONTRACT``) so that a twin
dropped from the declaration fails as surely as one dropped from a side. Parts that need R or
synthpop skip with the reason where they are missing.
"""

import csv
import importlib
import inspect
import math
import re

import numpy as np
import polars as pl
import pytest

from conftest import rscript, synthpop_installed
from synthspectrum.synthpop import REQUIRED, TWINS

CONTRACT = {
    "utility_gen": [("real", REQUIRED), ("synthetic", REQUIRED), ("method", "logit"), ("maxorder", 1)],
    "utility_tab": [("real", REQUIRED), ("synthetic", REQUIRED), ("vars", REQUIRED), ("ngroups", 5)],
    "replicated_uniques": [("real", REQUIRED), ("synthetic", REQUIRED), ("keys", REQUIRED)],
    "disclosure": [("real", REQUIRED), ("synthetic", REQUIRED), ("keys", REQUIRED), ("target", REQUIRED)],
}
# one call per twin on the frames below: (args after real and synthetic, the expected `column`)
CALLS = {
    "utility_gen": ({}, None),
    "utility_tab": ({"vars": ["region", "age"]}, "region x age"),
    "replicated_uniques": ({"keys": ["sex", "region", "age"]}, "sex x region x age"),
    "disclosure": ({"keys": ["sex", "age"], "target": "region"}, "region"),
}
IDS = [t.name for t in TWINS]


def resolve(path: str):
    module, name = path.split(":")
    return getattr(importlib.import_module(module), name)


def head(fn, n: int) -> list[tuple[str, object]]:
    params = list(inspect.signature(fn).parameters.values())[:n]
    assert all(p.kind is p.POSITIONAL_OR_KEYWORD for p in params), fn
    return [(p.name, REQUIRED if p.default is p.empty else p.default) for p in params]


def test_the_declared_twins_are_the_contracts_twins():
    assert len({t.name for t in TWINS}) == len(TWINS)
    assert {t.name: [tuple(p) for p in t.parameters] for t in TWINS} == \
        {name: [tuple(p) for p in params] for name, params in CONTRACT.items()}
    assert all(t.r == t.name and t.native.endswith(f":{t.name}") and t.wrapper.endswith(f":{t.name}") for t in TWINS)


@pytest.mark.parametrize("twin", TWINS, ids=IDS)
def test_python_signatures_are_the_same(twin):
    native, wrapper = resolve(twin.native), resolve(twin.wrapper)  # fails if either side lost it
    n = len(twin.parameters)
    assert head(native, n) == list(twin.parameters)
    assert head(wrapper, n) == list(twin.parameters)
    # past the contract each side has its own (bounds; verbose and synthpop's arguments), but a
    # parameter both have takes the same default on both
    pn, pw = inspect.signature(native).parameters, inspect.signature(wrapper).parameters
    for name in set(pn) & set(pw):
        assert pn[name].default == pw[name].default, name


def _r_default(text: str):
    if text == REQUIRED:
        return REQUIRED
    if text == "NULL":
        return None
    if text in ("TRUE", "FALSE"):
        return text == "TRUE"
    if text.startswith('"'):
        return text.strip('"')
    try:
        return float(text)
    except ValueError:
        return text  # a call, e.g. c("pMSE", "S_pMSE"): compared as written


@pytest.fixture(scope="module")
def r_formals(tmp_path_factory) -> dict[str, list[tuple[str, object]] | None]:
    """Each twin's R formals (name, default) as the R twin defines them, from a fresh Rscript
    (sourcing the twin needs R, not synthpop); None for a function the twin lacks."""
    names = ", ".join(f'"{t.r}"' for t in TWINS)
    out = rscript(f"""
for (f in c({names})) {{
  if (!exists(f, mode = "function", inherits = FALSE)) {{ cat(f, "\\t<missing>\\n", sep = ""); next }}
  fm <- formals(get(f))
  for (a in names(fm)) {{
    # a parameter without a default holds the empty symbol, which cannot be bound to a name
    shown <- if (identical(fm[[a]], quote(expr = ))) "{REQUIRED}" else paste(deparse(fm[[a]]), collapse = " ")
    cat(f, "\\t", a, "\\t", shown, "\\n", sep = "")
  }}
}}
""", tmp_path_factory.mktemp("formals"), twin=True)
    found: dict[str, list | None] = {t.r: [] for t in TWINS}
    for line in out.splitlines():
        parts = line.split("\t")
        if len(parts) == 2 and parts[1] == "<missing>":
            found[parts[0]] = None
        elif len(parts) == 3:
            found[parts[0]].append((parts[1], _r_default(parts[2])))
    return found


@pytest.mark.parametrize("twin", TWINS, ids=IDS)
def test_r_formals_are_the_same(twin, r_formals):
    formals = r_formals[twin.r]
    assert formals is not None, f"the R twin has no function {twin.r}()"
    n = len(twin.parameters)
    assert formals[:n] == list(twin.parameters)
    # the rest are synthpop's, passed through ...
    assert [name for name, _ in formals[n:]] in ([], ["..."])


# --- the same numbers ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def frames() -> tuple[pl.DataFrame, pl.DataFrame]:
    """A small real frame and a synthetic one of another size (so that the denominators n and k
    differ), related columns, no bound of the native measures reached, values written exactly."""
    def draw(seed: int, n: int, shift: float) -> pl.DataFrame:
        rng = np.random.default_rng(seed)
        sex = rng.choice(["F", "M"], n)
        region = np.where(rng.random(n) < 0.5 + shift, rng.choice(["north", "south"], n), rng.choice(["east", "west"], n))
        age = rng.integers(18, 30, n) + np.where(sex == "F", 0, 3)
        income = np.round(rng.gamma(3, 900, n) + 40 * age, 2)
        return pl.DataFrame({"sex": sex.tolist(), "region": region.tolist(), "age": age.astype(np.int32),
                             "income": income})

    return draw(1, 300, 0.0), draw(2, 280, 0.15)


@pytest.fixture(scope="module")
def natives(frames) -> dict[str, pl.DataFrame]:
    from synthspectrum.measures import LEFT_OUT_MEASURES

    real, syn = frames
    out = {}
    for t in TWINS:
        res = resolve(t.native)(real, syn, **CALLS[t.name][0])
        assert not res["measure"].is_in(list(LEFT_OUT_MEASURES)).any(), "a bound applied: the frames are too big"
        out[t.name] = res
    return out


def assert_same(ours: pl.DataFrame, native: pl.DataFrame, twin, where: str) -> None:
    assert ours.columns == ["measure", "column", "value"], where
    assert ours["measure"].to_list() == native["measure"].to_list() == list(twin.measures), where
    assert ours["column"].to_list() == native["column"].to_list() == [CALLS[twin.name][1]] * len(twin.measures), where
    for m, a, b in zip(ours["measure"], ours["value"], native["value"]):
        assert a == pytest.approx(b, rel=1e-6, abs=1e-12), f"{where}: {twin.name} {m}"


@pytest.mark.parametrize("twin", TWINS, ids=IDS)
def test_the_wrapper_gives_the_natives_numbers(twin, frames, natives):
    from synthspectrum import synthpop as sp

    status = sp.synthpop_status()
    if not status.ok:
        pytest.skip(f"synthpop cannot run from Python here: {status.message or status.state}")
    real, syn = frames
    assert_same(resolve(twin.wrapper)(real, syn, **CALLS[twin.name][0]), natives[twin.name], twin, "wrapper")


def _r_value(x) -> str:
    if isinstance(x, str):
        return f'"{x}"'
    return "c(" + ", ".join(f'"{v}"' for v in x) + ")"


def test_the_r_twin_gives_the_natives_numbers(frames, natives, tmp_path):
    if not synthpop_installed():
        pytest.skip("the R package synthpop is not installed for Rscript")
    real, syn = frames
    real.write_csv(tmp_path / "real.csv")
    syn.write_csv(tmp_path / "syn.csv")
    classes = 'colClasses = c(sex = "character", region = "character", age = "integer", income = "numeric")'
    calls = "\n".join(
        f'out[["{t.r}"]] <- {t.r}(real, syn{"".join(f", {k} = {_r_value(v)}" for k, v in CALLS[t.name][0].items())})'
        for t in TWINS)
    rscript(f"""
suppressMessages(library(synthpop))
real <- read.csv("real.csv", {classes})
syn <- read.csv("syn.csv", {classes})
out <- list()
{calls}
rows <- do.call(rbind, lapply(names(out), function(f) data.frame(twin = f, out[[f]], stringsAsFactors = FALSE)))
stopifnot(all(vapply(out, function(o) identical(names(o), c("measure", "column", "value")), logical(1))))
# two synthetic sets: each set's rows, with a leading set (categories only: for m > 1 synthpop
# groups a number by breaks from the real data and all the sets together)
one <- utility_tab(real, syn, vars = c("region", "sex"))
two <- utility_tab(real, list(syn, syn), vars = c("region", "sex"))
stopifnot(identical(names(two), c("set", "measure", "column", "value")), identical(two$set, rep(1:2, each = 9)),
          isTRUE(all.equal(two$value[two$set == 2], one$value)))
write.csv(rows, "out.csv", row.names = FALSE, na = "")
""", tmp_path, twin=True)
    with open(tmp_path / "out.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for t in TWINS:
        mine = [r for r in rows if r["twin"] == t.r]
        ours = pl.DataFrame({"measure": [r["measure"] for r in mine],
                             "column": [r["column"] or None for r in mine],
                             "value": [float(r["value"]) if r["value"] not in ("", "NA") else math.nan for r in mine]},
                            schema={"measure": pl.String, "column": pl.String, "value": pl.Float64})
        assert_same(ours, natives[t.name], t, "R twin")


@pytest.mark.parametrize("twin", TWINS, ids=IDS)
def test_a_misspelt_further_argument_is_refused_by_name_on_both_sides(twin, frames, tmp_path):
    """Past the contract, each twin's further arguments are synthpop's: one that synthpop's function
    does not take (a typo) is an error naming it, from Python and from R, never ignored."""
    from synthspectrum import synthpop as sp
    from synthspectrum.errors import SynthpopError

    wrapper = resolve(twin.wrapper)
    if not any(p.kind is p.VAR_KEYWORD for p in inspect.signature(wrapper).parameters.values()):
        pytest.skip(f"{twin.name} takes no further arguments")
    status = sp.synthpop_status()
    if not status.ok:
        pytest.skip(f"synthpop cannot run from Python here: {status.message or status.state}")
    real, syn = frames
    words = f"argument 'bogus_arg' is not one of {twin.r}()'s or synthpop's"
    with pytest.raises(SynthpopError, match=re.escape(words)):
        wrapper(real, syn, **CALLS[twin.name][0], bogus_arg=1)
    real.write_csv(tmp_path / "real.csv")
    args = "".join(f", {k} = {_r_value(v)}" for k, v in CALLS[twin.name][0].items())
    out = rscript(f"""
suppressMessages(library(synthpop))
real <- read.csv("real.csv", stringsAsFactors = FALSE)
cat(tryCatch({{ {twin.r}(real, real{args}, bogus_arg = 1); "accepted" }}, error = conditionMessage), "\\n")
""", tmp_path, twin=True)
    assert out.startswith(words), out
