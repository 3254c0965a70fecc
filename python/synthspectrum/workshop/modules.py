"""The workshop's modules: one table that the schedule, the instructor guide, the slides'
title pages, the set-up check and the tests all read, so that the day adds up in one place.

The day is 3.5 hours (210 minutes), one 15-minute break included, taught in pairs: one
laptop role in Python, one in R, swapping driver and navigator at every numbered step.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Module", "MODULES", "BREAK_MINUTES", "BREAK_AFTER", "DAY_MINUTES", "module", "schedule"]


@dataclass(frozen=True)
class Module:
    id: str           # "m0" ... "m5": the name check() and the files use
    title: str
    teach: int        # minutes of talk (slides)
    do: int           # minutes of pair work (exercises)
    knowing: str      # what learners leave knowing
    python: str       # what the Python role does
    r: str            # what the R role does
    slug: str         # file stem: solutions/<id>_<slug>.py / .R, slides/<id>_<slug>.md
    # the roles ("py", "R") whose solution cannot run without R's synthpop; the others must
    # (a laptop without synthpop still does the rest of the day)
    needs_synthpop: tuple[str, ...] = ()

    @property
    def minutes(self) -> int:
        return self.teach + self.do

    @property
    def stem(self) -> str:
        return f"{self.id}_{self.slug}"


MODULES: tuple[Module, ...] = (
    Module("m0", "Welcome and set-up check", 12, 8,
           "what synthetic data is and is not (\"all models are wrong\"), fidelity versus purpose, the spectrum idea",
           "run the set-up check", "the same; is the R role possible on this laptop?", "welcome"),
    Module("m1", "De-identification and its limits", 12, 18,
           "direct versus quasi-identifiers, the tutorial's steps, k-anonymity, why de-identified is not anonymous",
           "de-identify the A&E data, k-anonymity report",
           "count equivalence classes in base R (NA handling differs: a deliberate trap) and agree with Python",
           "deidentify"),
    Module("m2", "Metadata synthesis", 15, 25,
           "fit, save, reload, synthesize reproducibly; read the model file and audit what it discloses; "
           "why independent columns lose relations",
           "metasyn fit / audit / synthesize, with and without disclosure control",
           "synthpop's sample method, the independent analogue; table utility of a pair of columns on both",
           "metadata", ("R",)),
    Module("m3", "synthpop CART from R and from Python", 12, 23,
           "sequential CART, visit sequence, methods, seeds; one call, two languages, identical data",
           "synthpop's syn from Python", "syn in R; the fingerprints of the two outputs must be equal", "cart", ("py", "R")),
    Module("m4", "Utility and privacy", 18, 27,
           "general, marginal and specific utility; replicated uniques, attribute disclosure, distance to "
           "closest record; why a holdout is needed",
           "Python-native measures and the HTML report",
           "synthpop's utility.gen, compare, glm.synds + compare.fit, replicated.uniques, disclosure; "
           "numbers equal to Python's", "measures", ("py", "R")),
    Module("m5", "The spectrum (closing)", 10, 15,
           "read a frontier; what each step buys and costs; the Pareto set; add your own rung",
           "run a small spectrum, register a generator",
           "read the results table, draw the frontier, find the same Pareto set", "spectrum"),
)

BREAK_MINUTES = 15
BREAK_AFTER = "m2"  # the break falls after metadata synthesis, half way through the day
DAY_MINUTES = 210


def module(id: str) -> Module:
    """The module called ``id`` ("m0" ... "m5"), or a clear error naming the ones there are."""
    for m in MODULES:
        if m.id == id:
            return m
    raise KeyError(f"no workshop module {id!r}; the modules are {', '.join(m.id for m in MODULES)}")


def schedule(start: str = "09:00") -> list[tuple[str, str, str, int]]:
    """The day as (start, end, what, minutes) rows, the break in its place, from ``start`` (HH:MM)."""
    hours, minutes = (int(x) for x in start.split(":"))
    clock = hours * 60 + minutes
    rows = []

    def add(what: str, length: int) -> None:
        nonlocal clock
        rows.append((f"{clock // 60:02d}:{clock % 60:02d}", f"{(clock + length) // 60:02d}:{(clock + length) % 60:02d}",
                     what, length))
        clock += length

    for m in MODULES:
        add(f"{m.id.upper()} {m.title}", m.minutes)
        if m.id == BREAK_AFTER:
            add("Break", BREAK_MINUTES)
    return rows
