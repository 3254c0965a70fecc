"""The generators of the privacy-utility spectrum, one contract in scikit-learn's style.

Configuration and seed go into the constructor, ``fit`` learns from the real data and returns
the generator, ``sample`` draws from the constructor's seed:

    gen = MetasynGenerator(seed=1).fit(real)
    synthetic = gen.sample(real.height)          # the same rows for seed 1, every time
    other = gen.set_params(seed=2).sample(100)   # another set from the same fit

The contract, which :func:`synthspectrum.spectrum.conformance.check_generator` checks:

* ``__init__(**config, seed=None)`` stores its arguments under their own names
  (``get_params`` / ``set_params`` read and change them); ``seed`` is ``None`` (a fresh seed
  for each draw, kept in ``last_seed_``) or a whole number in [0, SEED_MAX];
* ``fit(real, holdout=None) -> self``: ``real`` is a polars frame, never changed.
  ``holdout`` is what it is everywhere in the package, the distance measures' baseline of real
  records not used for fitting; a generator may look at it but must not copy it (the spectrum
  keeps it from its generators, so that the baseline stays unseen);
* ``sample(n) -> polars.DataFrame`` with the real columns, dtypes and Enum levels, ``n`` rows
  (a reference of real records: at most as many as it holds), the same rows for the same
  seed; before ``fit`` a one-line :class:`~synthspectrum.errors.SynthSpectrumError`;
* ``available() -> (bool, str)``: whether it can run here, and if not why.

In order along the spectrum, from least to most of the real data kept (the names are the
entry points of the group ``synthspectrum.generators`` in pyproject.toml):

``random``               :class:`RandomGenerator` (its own module says what it discloses).
``metasyn``              independent per-column parametric models (metasyn).
``metasyn-disclosure``   the same under metasyn-disclosure's disclosure control.
``synthpop-sample``      synthpop's ``method = "sample"``: each column's real values
                         resampled, no dependence (compare with ``metasyn``).
``synthpop-parametric``  synthpop's parametric sequential models.
``synthpop-cart``        synthpop's CART, sequential trees.
``synthpop-cart-smooth`` CART with density smoothing of numbers and leaves of at least 20
                         records: a little less utility for a little less risk.
``real-holdout``         not a generator: the spectrum's reference, real records the
                         generators never saw, fitted on that reference pool (not on the
                         generators' training records); it is where "no synthesis at all"
                         lands on the frontier.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from synthspectrum.errors import SynthSpectrumError
from synthspectrum.spectrum.base import Generator
from synthspectrum.spectrum.uniform import RandomGenerator


class MetasynGenerator(Generator):
    """metasyn's per-column models (:func:`synthspectrum.metadata.fit_metadata`); ``options``
    go to ``fit_metadata`` (``unique``, ``categorical``, ``partition_size``, ...). The seed at
    fit time seeds the fit's own randomness (a guarded column's subsample), at sample time the
    draw."""

    name = "metasyn"
    privacy = "none"

    def __init__(self, seed: int | None = None, **options: Any):
        super().__init__(seed)
        self.options = options

    def fit(self, real: pl.DataFrame, holdout: pl.DataFrame | None = None) -> "MetasynGenerator":
        from synthspectrum.metadata.model import fit_metadata

        self.model_ = fit_metadata(real, privacy=self.privacy, seed=0 if self.seed is None else self.seed,
                                   progress=False, **self.options)
        return self

    def sample(self, n: int) -> pl.DataFrame:
        model = self.check_fitted("model_")
        seed = self.draw_seed()
        if _in_a_dask_task():
            return _draw_apart(model.to_dict(), n, seed)
        return model.synthesize(n, seed=seed, progress=False, as_pandas=False)

    # A fitted generator travels to the spectrum's workers by pickling. metasyn's distributions
    # keep frozen scipy distributions whose random state is numpy's global one; pickled, each
    # takes a private copy of that state, so the seed no longer reaches its draws and a worker
    # would draw other rows than this process. The model travels as its GMF document instead and
    # is rebuilt on arrival, its distributions bound to the receiving process's global state.
    # It is our own to_dict() of a model fitted moments ago, not a user's file: rebuilt without
    # metasyn's schema check, which cost 0.5 s at every draw in a worker and stalled the parent.
    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        if "model_" in state:
            state["model_"] = state["model_"].to_dict()
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        if isinstance(state.get("model_"), dict):
            from synthspectrum.metadata.model import model_from_gmf

            state["model_"] = model_from_gmf(state["model_"], "the fitted metasyn generator", validate=False)
        self.__dict__.update(state)


# metasyn takes no random generator: its seed reseeds the process-wide streams (numpy's global
# RandomState, Python's ``random``, Faker's shared one), and its draws read them (a date column
# draws with ``random.random``). A Dask worker runs its task in a thread while its event loop
# thread goes on, and that thread reads Python's ``random`` too: every message it sends is sized
# by ``safe_sizeof`` (distributed/comm/utils.py), which samples any list or dict of more than 10
# items with ``random.sample``. One such message during a metasyn draw shifts the rows drawn.
# So in a Dask task the draw runs in a process of its own, started for it and kept for the
# worker's later draws, where it is the only thread: the same GMF document and seed, the same
# rows as one process. Elsewhere (one process, the spectrum's loky workers) the draw stays where
# it is: there no event loop runs beside it, and test_parallel checks those numbers too.
def _in_a_dask_task() -> bool:
    import sys

    distributed = sys.modules.get("distributed")
    if distributed is None:
        return False
    try:
        distributed.get_worker()
    except ValueError:
        return False
    return True


_apart: dict[str, Any] = {}


def _draw_apart(doc: dict, n: int, seed: int) -> pl.DataFrame:
    """``model_from_gmf(doc).synthesize(n, seed)`` in this process's draw process (started on
    first use; draws of several threads take turns), its warnings raised again here."""
    import pickle
    import threading
    import warnings

    lock = _apart.setdefault("lock", threading.Lock())
    with lock:
        proc = _apart.get("proc")
        if proc is None or proc.poll() is not None:
            proc = _apart["proc"] = _start_draw_process()
        try:
            pickle.dump((doc, n, seed), proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            proc.stdin.flush()
            status, value, caught = pickle.load(proc.stdout)
        except (OSError, EOFError, pickle.UnpicklingError) as exc:
            proc.kill()
            _apart.pop("proc", None)
            raise SynthSpectrumError("the metasyn draw process of this Dask worker ended before it answered",
                                     detail=f"{type(exc).__name__}: {exc}") from None
    for category, message in caught:
        warnings.warn(message, category, stacklevel=2)
    if status == "ok":
        return value
    if status == "ours":
        raise SynthSpectrumError(value[1], detail=value[2])
    if isinstance(value, BaseException):
        raise value
    raise SynthSpectrumError("metasyn's draw failed in the draw process of this Dask worker", detail=value)


def _start_draw_process():
    import os
    import subprocess
    import sys

    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p),
               OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    return subprocess.Popen([sys.executable, "-c", "from synthspectrum.spectrum.generators import _serve_draws; "
                             "_serve_draws()"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
                            close_fds=True)


def _serve_draws() -> None:
    """The draw process: (GMF document, n, seed) in on stdin, (status, frame or error, warnings)
    out on stdout, until stdin closes (the worker ended)."""
    import os
    import pickle
    import sys
    import threading
    import warnings

    from tqdm import tqdm

    from synthspectrum.metadata.model import model_from_gmf

    tqdm.monitor_interval = 0  # a bar (even one not shown) would start tqdm's monitor thread
    inp, out = sys.stdin.buffer, os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # what a library prints goes to stderr, not into the answers
    while True:
        try:
            doc, n, seed = pickle.load(inp)
        except EOFError:
            return
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                # the guarantee holds only while the draw is this process's one thread
                if threading.active_count() != 1:
                    raise SynthSpectrumError(f"the metasyn draw process runs {threading.active_count()} threads, "
                                             "so its draws could differ from those of one process")
                answer: tuple = ("ok", model_from_gmf(doc, "the fitted metasyn generator", validate=False)
                                 .synthesize(n, seed=seed, progress=False, as_pandas=False))
            except SynthSpectrumError as exc:  # its public part and detail kept apart, as raised
                answer = ("ours", (type(exc).__name__, exc.public, exc.detail))
            except Exception as exc:
                try:
                    pickle.loads(pickle.dumps(exc))
                    answer = ("error", exc)
                except Exception:
                    answer = ("error", f"{type(exc).__name__}: {exc}")
        answer += ([(w.category, str(w.message)) for w in caught],)
        pickle.dump(answer, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()


class MetasynDisclosureGenerator(MetasynGenerator):
    """metasyn's per-column models under metasyn-disclosure's disclosure control."""

    name = "metasyn-disclosure"
    privacy = "disclosure"


class SynthpopGenerator(Generator):
    """synthpop's ``syn()`` with ``method`` (``"cart"``, ``"parametric"``, ``"sample"`` or a
    dict column -> method). ``smooth``: density smoothing of every numeric column;
    ``minbucket``: CART's smallest leaf; ``control``: any further ``syn()`` argument in
    synthpop's spelling. Fitting and drawing happen together in synthpop, so ``fit`` keeps
    the real frame and ``sample`` runs the synthesis with the seed."""

    name = "synthpop"
    # the spectrum's local workers start R (and load synthpop) before their first task
    needs_r = True

    def __init__(self, method: str | dict[str, str] = "cart", seed: int | None = None, smooth: bool = False,
                 minbucket: int | None = None, **control: Any):
        super().__init__(seed)
        self.method, self.smooth, self.minbucket, self.options = method, smooth, minbucket, control

    def available(self) -> tuple[bool, str]:
        """Whether R, rpy2 and a loadable synthpop are there (the R session's one check, the
        same as ``doctor``'s); if not, the reason, naming a missing R package."""
        from synthspectrum.errors import RNotAvailableError

        try:
            from synthspectrum import synthpop

            synthpop.require_synthpop()
        except RNotAvailableError as exc:
            return False, str(exc)
        except Exception as exc:  # whatever else keeps R from starting: a skip with its reason
            return False, f"R could not load synthpop: {type(exc).__name__}: {exc}"
        return True, ""

    def fit(self, real: pl.DataFrame, holdout: pl.DataFrame | None = None) -> "SynthpopGenerator":
        self.real_ = real
        return self

    def sample(self, n: int) -> pl.DataFrame:
        import warnings

        from synthspectrum import synthpop as sp

        real = self.check_fitted("real_")
        control = dict(self.options)
        if self.smooth:
            control["smoothing"] = {c: "density" for c, t in real.schema.items() if t.is_numeric() and t != pl.Boolean}
        if self.minbucket is not None:
            control["cart_minbucket"] = self.minbucket
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # its notes are in the result; the run reports failures
            res = sp.syn(real, method=self.method, seed=self.draw_seed(), k=n, **control)
        return res.synthetic


class SynthpopSampleGenerator(SynthpopGenerator):
    """synthpop's ``method = "sample"``: each column's real values resampled independently."""

    name = "synthpop-sample"

    def __init__(self, seed: int | None = None, method: str = "sample", **options: Any):
        super().__init__(method=method, seed=seed, **options)


class SynthpopParametricGenerator(SynthpopGenerator):
    """synthpop's parametric sequential models."""

    name = "synthpop-parametric"

    def __init__(self, seed: int | None = None, method: str = "parametric", **options: Any):
        super().__init__(method=method, seed=seed, **options)


class SynthpopCartGenerator(SynthpopGenerator):
    """synthpop's CART, sequential trees."""

    name = "synthpop-cart"

    def __init__(self, seed: int | None = None, method: str = "cart", **options: Any):
        super().__init__(method=method, seed=seed, **options)


class SynthpopCartSmoothGenerator(SynthpopGenerator):
    """CART with density smoothing of numbers and leaves of at least 20 records."""

    name = "synthpop-cart-smooth"

    def __init__(self, seed: int | None = None, method: str = "cart", smooth: bool = True, minbucket: int | None = 20,
                 **options: Any):
        super().__init__(method=method, seed=seed, smooth=smooth, minbucket=minbucket, **options)


class HoldoutReference(Generator):
    """The spectrum's reference: ``sample(n)`` draws ``min(n, records)`` of the real records it
    was fitted on, without replacement, in their order. The spectrum fits it on its reference
    pool, real records that no generator saw, so it shows where "no synthesis at all" lands.
    It copies real records: it is a yardstick, never a release."""

    name = "real-holdout"
    reference = True

    def fit(self, real: pl.DataFrame, holdout: pl.DataFrame | None = None) -> "HoldoutReference":
        if real.height == 0:
            raise SynthSpectrumError("the real-holdout reference needs real records to draw from")
        self.pool_ = real
        return self

    def sample(self, n: int) -> pl.DataFrame:
        pool = self.check_fitted("pool_")
        rng = np.random.default_rng(self.draw_seed())
        idx = rng.choice(pool.height, min(n, pool.height), replace=False)
        return pool[np.sort(idx)]


__all__ = ["Generator", "RandomGenerator", "MetasynGenerator", "MetasynDisclosureGenerator", "SynthpopGenerator",
           "SynthpopSampleGenerator", "SynthpopParametricGenerator", "SynthpopCartGenerator",
           "SynthpopCartSmoothGenerator", "HoldoutReference"]
