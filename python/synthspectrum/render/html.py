"""The one HTML renderer of synthspectrum's reports (the evaluation's and the spectrum's).

A page is built from a few parts: :func:`table` (a polars frame as an HTML table, numbers
right-aligned, a missing number shown as "not applicable" with its reason, cells coloured by
the measure registry's verdict words), :func:`details` (a long table folded away),
:func:`image` (a matplotlib Figure embedded as PNG) and :func:`page` (the document, with the
one stylesheet ``report.css`` inlined, so that every page opens offline, needs no other file and
loads nothing from the network).

What a page discloses: exactly what its caller passes in (this module adds the stylesheet and
fixed words, never data). Every text is HTML-escaped.
"""

from __future__ import annotations

import base64
import html
import io
import math
from pathlib import Path
from typing import Any, Callable, Iterable

import polars as pl

STYLESHEET = Path(__file__).with_name("report.css")
NOT_APPLICABLE = "not applicable"
FOLD_ROWS = 12  # a table longer than this is folded away in <details> by fold()
BANDS = ("good", "acceptable", "poor")  # the registry's verdict words, each a CSS class of report.css


def stylesheet() -> str:
    """The text of the one stylesheet (``report.css`` beside this module)."""
    return STYLESHEET.read_text(encoding="utf-8")


def esc(text: Any) -> str:
    return html.escape(str(text))


def is_missing(value: Any) -> bool:
    """None or a float NaN: a measure with no value here."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value: Any, digits: int = 4) -> str:
    """A number as a reader sees it: floats to ``digits`` significant digits, others as they are."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    return str(value)


def not_applicable(reason: str | None = None) -> str:
    """The words for a measure without a value (NaN), with why, as HTML."""
    return f"<span class='na'>{NOT_APPLICABLE}</span>" + (f" <span class='note'>({esc(reason)})</span>" if reason else "")


def band(name: str, value: Any) -> str | None:
    """The verdict word (good / acceptable / poor) the measure registry gives ``value`` of
    measure ``name``; None when the registry has no bands for it or the value is missing."""
    from synthspectrum.measures import registry

    measure = registry.MEASURES.get(name)
    if measure is None or is_missing(value):
        return None
    return measure.band(value)


def describe(name: str) -> tuple[str, str]:
    """(label, which value is best) of measure ``name`` from the registry; ("", "") if unregistered."""
    from synthspectrum.measures import registry

    measure = registry.MEASURES.get(name)
    return ("", "") if measure is None else (measure.label, measure.best_words())


Row = dict[str, Any]


def table(df: pl.DataFrame, *, row_class: Callable[[Row], str | None] | None = None,
          cell_class: Callable[[str, Row], str | None] | None = None,
          reason: Callable[[str, Row], str | None] | None = None, digits: int = 4) -> str:
    """``df`` as an HTML table, one ``<tr>`` per row, every text escaped.

    A null cell is empty; a NaN cell reads "not applicable" followed by ``reason(column, row)``
    when given. ``row_class(row)`` and ``cell_class(column, row)`` return a CSS class (e.g. a
    verdict word of :data:`BANDS`) or None. Numbers are right-aligned with ``digits``
    significant digits.
    """
    head = "".join(f"<th>{esc(c)}</th>" for c in df.columns)
    body = []
    for row in df.iter_rows(named=True):
        cells = []
        for c, v in row.items():
            classes = ["num"] if isinstance(v, (int, float)) and not isinstance(v, bool) else []
            if cell_class is not None and (extra := cell_class(c, row)):
                classes.append(extra)
            attr = f" class='{' '.join(classes)}'" if classes else ""
            if v is None:
                text = ""
            elif is_missing(v):
                text = not_applicable(reason(c, row) if reason else None)
            else:
                text = esc(number(v, digits))
            cells.append(f"<td{attr}>{text}</td>")
        cls = row_class(row) if row_class else None
        attr = f" class='{cls}'" if cls else ""
        body.append(f"<tr{attr}>" + "".join(cells) + "</tr>")
    return f"<div class='scroll'><table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"


def details(summary: str, body: str, open: bool = False) -> str:
    """``body`` (HTML) folded away under the line ``summary`` (text); unfolded when ``open``."""
    return f"<details{' open' if open else ''}><summary>{esc(summary)}</summary>{body}</details>"


def fold(df: pl.DataFrame, summary: str, limit: int = FOLD_ROWS, **table_options: Any) -> str:
    """:func:`table` of ``df``, folded away in :func:`details` when it has more than ``limit`` rows."""
    body = table(df, **table_options)
    return details(f"{summary} ({df.height} rows)", body) if df.height > limit else body


def png(fig: Any, dpi: int = 90) -> str:
    """A matplotlib Figure as base64 PNG text. Figures are made without pyplot, so nothing global
    holds them and there is nothing to close: the caller's reference is the only one."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def image(picture: Any, alt: str, dpi: int = 90) -> str:
    """An ``<img>`` embedding ``picture``: a matplotlib Figure, or PNG bytes already base64-encoded."""
    data = picture if isinstance(picture, str) else png(picture, dpi)
    return f"<img alt='{esc(alt)}' src='data:image/png;base64,{data}'>"


def heading(key: str, title: str, level: int = 2) -> str:
    return f"<h{level} id='{esc(key)}'>{esc(title)}</h{level}>"


def bullets(lines: Iterable[str], cls: str | None = None, title: str | None = None, key: str | None = None) -> str:
    """Plain sentences as a list (escaped), in a box of class ``cls`` with a bold ``title``."""
    items = "".join(f"<li>{esc(line)}</li>" for line in lines)
    attrs = (f" class='{cls}'" if cls else "") + (f" id='{esc(key)}'" if key else "")
    return f"<div{attrs}>" + (f"<b>{esc(title)}</b>" if title else "") + f"<ul>{items}</ul></div>"


def legend(unreadable: bool = False) -> str:
    """What the colours mean (the registry's verdict words) and, with ``unreadable``, the grey of
    an S_pMSE withheld because the propensity model separates real from synthetic
    (:mod:`synthspectrum.evaluation.separation`)."""
    grey = ("<span class='unreadable'>not readable: the propensity model separates real from synthetic, so its "
            "S_pMSE is no verdict</span>" if unreadable else "")
    return ("<p class='legend note'>Colours follow each measure's bands in the measure registry: "
            + "".join(f"<span class='{b}'>{b}</span>" for b in BANDS) + grey + "</p>")


def page(title: str, parts: Iterable[str]) -> str:
    """One self-contained HTML document: ``parts`` (HTML) in order, the stylesheet inlined."""
    return "\n".join([
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{esc(title)}</title><style>", stylesheet(), "</style></head><body>",
        *parts,
        "</body></html>",
    ])
