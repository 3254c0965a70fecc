"""`synthesize -n N -o FILE` draws and writes block by block: the file holds exactly the rows of
the in-memory draw for the seed, a line of progress per block, and the output rules hold."""

import polars as pl
import pytest

from synthspectrum.cli import main
from synthspectrum.io.tables import write_table
from synthspectrum.metadata import blocks, load
from synthspectrum.metadata.model import MetadataModel

BLOCK = 50
N = 4 * BLOCK + 30


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def model_file(tmp_path_factory, ae_deid):
    from synthspectrum import fit_metadata

    path = tmp_path_factory.mktemp("model") / "model.json"
    fit_metadata(ae_deid.head(600), progress=False).save(path)
    return path


@pytest.fixture
def small_blocks(monkeypatch):
    monkeypatch.setattr(blocks, "BLOCK_ROWS", BLOCK)


def test_parquet_holds_the_in_memory_draw(tmp_path, capsys, model_file, small_blocks):
    out = tmp_path / "big.parquet"
    code, text, err = run(capsys, "synthesize", model_file, "-n", N, "--seed", 8, "-o", out)
    assert code == 0 and f"wrote {N} synthetic rows (seed 8)" in text
    expected = load(model_file).synthesize(N, seed=8, as_pandas=False)
    back = pl.read_parquet(out)
    assert back.schema == expected.schema and back.equals(expected)
    # one progress line per block (stderr is no terminal here), the last one at N
    lines = [ln for ln in err.splitlines() if ln.startswith("synthesize:")]
    assert [ln.split()[1] for ln in lines] == ["50", "100", "150", "200", str(N)]


def test_csv_text_is_the_in_memory_draw_written_at_once(tmp_path, capsys, model_file, small_blocks):
    code, _, _ = run(capsys, "synthesize", model_file, "-n", N, "--seed", 3, "-o", tmp_path / "big.csv")
    assert code == 0
    write_table(load(model_file).synthesize(N, seed=3, as_pandas=False), tmp_path / "once.csv")
    assert (tmp_path / "big.csv").read_bytes() == (tmp_path / "once.csv").read_bytes()


def test_a_foreign_file_and_the_input_are_never_overwritten(tmp_path, capsys, model_file, small_blocks):
    foreign = tmp_path / "mine.csv"
    foreign.write_text("a\n1\n")
    code, _, err = run(capsys, "synthesize", model_file, "-n", N, "-o", foreign)
    assert code == 1 and "synthspectrum did not write it" in err and foreign.read_text() == "a\n1\n"
    same = tmp_path / "same.csv"
    same.write_bytes(b"x\n")
    code, _, err = run(capsys, "synthesize", same, "-n", N, "-o", same)
    assert code == 1 and "is also an input" in err and same.read_bytes() == b"x\n"


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_an_interrupted_draw_leaves_the_earlier_file_and_no_temporary(tmp_path, capsys, model_file, small_blocks,
                                                                       monkeypatch, suffix):
    out = tmp_path / f"syn{suffix}"
    assert run(capsys, "synthesize", model_file, "-n", 20, "--seed", 1, "-o", out)[0] == 0  # ours: may be replaced
    before = out.read_bytes()
    real_blocks = MetadataModel._blocks

    def interrupted(self, n, seed, show):
        gen = real_blocks(self, n, seed, show)
        yield next(gen)
        yield next(gen)
        raise KeyboardInterrupt

    monkeypatch.setattr(MetadataModel, "_blocks", interrupted)
    code, _, err = run(capsys, "synthesize", model_file, "-n", N, "--seed", 2, "-o", out)
    assert code == 130 and "interrupted" in err
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if ".partial" in p.name] == []
