
import matplotlib
import pytest

from synthspectrum.render import plots
from synthspectrum.measures import privacy



@pytest.fixture(scope="module")
def frames(frozen_split):
    return frozen_split


def test_each_plot_returns_a_figure_and_saves_it(frames, tmp_path):
    train, syn, hold = frames
    made = {
        "m": plots.plot_marginals(train, syn, path=str(tmp_path / "m.png")),
        "a": plots.plot_associations(train, syn, path=str(tmp_path / "a.png")),
        "p": plots.plot_propensity(train, syn, path=str(tmp_path / "p.png")),
        "d": plots.plot_dcr(privacy.dcr_distances(train, syn, hold, max_records=300), path=str(tmp_path / "d.png")),
    }
    for name, fig in made.items():
        assert isinstance(fig, matplotlib.figure.Figure)
        assert (tmp_path / f"{name}.png").stat().st_size > 5_000
    # one panel per column (9) in a 3 x 3 grid; categories keep their Enum order
    marg = made["m"]
    assert sum(ax.get_title() != "" for ax in marg.axes) == train.width
    age = next(ax for ax in marg.axes if ax.get_title() == "age_band")
    assert [t.get_text() for t in age.get_xticklabels()] == train.schema["age_band"].categories.to_list()
    assert [ax.get_title() for ax in made["a"].axes[:3]] == ["NMI: real", "NMI: synthetic", "NMI: difference"]


def test_pooled_bar_never_merges_with_a_real_category_of_that_name():
    import polars as pl

    df = pl.DataFrame({"v": ["other (2 categories)"] * 10 + ["a"] * 10 + ["rare"] * 3 + ["rarer"] * 3})
    ax = plots.plot_marginals(df, df).axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "other (2 categories)", "other (2 categories)*"]
    real_bars = [p.get_height() for p in ax.patches[:3]]
    assert real_bars == pytest.approx([10 / 26, 10 / 26, 6 / 26])
    assert ax.figure.canvas.manager is None  # made without pyplot: no window, no global figure


def _bars(fig, title):
    """(tick labels, real heights, synthetic heights) of one panel of a marginals figure."""
    ax = next(a for a in fig.axes if a.get_title() == title)
    n = len(ax.get_xticklabels())
    return ([t.get_text() for t in ax.get_xticklabels()], [p.get_height() for p in ax.patches[:n]],
            [p.get_height() for p in ax.patches[n:2 * n]])


def test_an_other_group_of_fewer_than_k_real_records_gets_no_bar_of_its_own():
    """A newcomer's region column: 'Isle of Man' held by 2 of 300 real records drew as
    'other (1 category)' at 2/300; two rare categories of 3 records in all likewise. The rule:
    no bar stands for fewer than k real records, so the pool is drawn with the least frequent
    category shown, and no bar (nor 1 minus the others) gives its share."""
    import polars as pl

    region = ["South"] * 90 + ["North"] * 87 + ["East"] * 62 + ["West"] * 59 + ["Isle of Man"] * 2
    two = ["a"] * 150 + ["b"] * 147 + ["c"] * 2 + ["d"] * 1
    big = ["a"] * 150 + ["b"] * 140 + ["c"] * 4 + ["d"] * 3 + ["e"] * 3  # 10 records in the pool: its own bar
    real = pl.DataFrame({"region": region, "two": two, "big": big})
    syn = pl.DataFrame({"region": region[::-1], "two": two[::-1], "big": big})
    fig = plots.plot_marginals(real, syn)
    ticks, r, s = _bars(fig, "region")
    assert ticks == ["South", "North", "East", "West + other (1 category)"]
    assert r == pytest.approx([90 / 300, 87 / 300, 62 / 300, 61 / 300]) and sum(r) == pytest.approx(1)
    assert min(r) * 300 >= 5
    ticks, r, _ = _bars(fig, "two")
    assert ticks == ["a", "b + other (2 categories)"] and r == pytest.approx([150 / 300, 150 / 300])
    ticks, r, _ = _bars(fig, "big")
    assert ticks == ["a", "b", "other (3 categories)"] and r == pytest.approx([0.5, 140 / 300, 10 / 300])
    notes = " ".join(t.get_text() for t in fig.texts)
    assert "fewer than 5 real records in all" in notes and "'category + other (n categories)'" in notes
    # k is the caller's: with k = 2 'Isle of Man' is shown on its own
    ticks, _, _ = _bars(plots.plot_marginals(real, syn, columns=["region"], k=2), "region")
    assert ticks == ["South", "North", "East", "West", "Isle of Man"]


def test_synthetic_values_outside_the_real_ones_keep_their_bar():
    # no real category is pooled, so 'other' stands for no real record: it shows the synthetic stray values
    import polars as pl

    real = pl.DataFrame({"v": ["a"] * 10 + ["b"] * 10})
    syn = pl.DataFrame({"v": ["a"] * 10 + ["b"] * 5 + ["zz"] * 5})
    ticks, r, s = _bars(plots.plot_marginals(real, syn), "v")
    assert ticks == ["a", "b", "other (0 categories)"] and r[2] == 0 and s[2] == pytest.approx(0.25)


def test_forty_columns_keep_every_name_inside_the_heatmaps_and_apart():
    """With ~40 columns the names are neither cut off at the figure's edge nor made equal by
    shortening (names sharing a long prefix keep their distinct ends)."""
    import numpy as np
    import polars as pl
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    rng = np.random.default_rng(1)
    names = [f"a_rather_long_column_name_number_{i:02d}" for i in range(40)]
    real = pl.DataFrame({n: rng.integers(0, 5, 300) for n in names})
    syn = pl.DataFrame({n: rng.integers(0, 5, 300) for n in names})
    fig = plots.plot_associations(real, syn)
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    width, height = fig.bbox.width, fig.bbox.height
    heatmaps = [ax for ax in fig.axes if ax.images and ax.get_title().startswith("NMI")]
    assert len(heatmaps) == 3
    for ax in heatmaps:
        for labels in (ax.get_xticklabels(), ax.get_yticklabels()):
            texts = [t.get_text() for t in labels]
            assert len(texts) == 40 and len(set(texts)) == 40  # every column, told apart
            for t in labels:
                box = t.get_window_extent(renderer)
                assert 0 <= box.x0 and box.x1 <= width and 0 <= box.y0 and box.y1 <= height, t.get_text()


def test_histograms_say_what_their_y_axis_counts(frames):
    train, syn, hold = frames
    assert plots.plot_propensity(train, syn).axes[0].get_ylabel()
    assert plots.plot_dcr(privacy.dcr_distances(train, syn, hold, max_records=200)).axes[0].get_ylabel()
    marg = plots.plot_marginals(train, syn, columns=["time_in_ae_minutes"])
    assert marg.axes[0].get_ylabel() == "density"


@pytest.mark.parametrize("days", [0.05, 2, 40, 400, 900, 1500, 11000])
def test_date_axes_are_ticked_without_a_matplotlib_warning(days):
    """AutoDateLocator(maxticks=5) kept matplotlib's minticks = 5: a range of 5 to 59 months
    (a newcomer's visit dates over 2.5 years) could not be ticked within 5, and matplotlib
    warned 'AutoDateLocator was unable to pick an appropriate interval' on every report."""
    import datetime as dt
    import warnings

    import polars as pl

    start = dt.datetime(2020, 1, 3)
    when = [start + dt.timedelta(days=days * i / 299) for i in range(300)]
    real = pl.DataFrame({"d": when, "day": [w.date() for w in when]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = plots.plot_marginals(real, real)
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(fig).draw()  # ticks are placed when drawn
    for ax in fig.axes[:2]:
        lo, hi = ax.get_xlim()
        assert 2 <= sum(lo <= t <= hi for t in ax.get_xticks()) <= 8
