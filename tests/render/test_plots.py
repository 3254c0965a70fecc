
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

    df = pl.DataFrame({"v": ["other (1 category)"] * 10 + ["a"] * 10 + ["rare"] * 2})
    ax = plots.plot_marginals(df, df).axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "other (1 category)", "other (1 category)*"]
    real_bars = [p.get_height() for p in ax.patches[:3]]
    assert real_bars == pytest.approx([10 / 22, 10 / 22, 2 / 22])
    assert ax.figure.canvas.manager is None  # made without pyplot: no window, no global figure


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
