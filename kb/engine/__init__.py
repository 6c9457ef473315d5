"""Engines: where a build's recognition and linking run.

- ``local`` (the default): in this process, spaCy with ``settings.processes`` worker processes
  (:func:`kb.pipeline.link_batches`);
- ``dask``: over a Dask cluster (:mod:`kb.engine.dask`, the optional extra ``kb[dask]``), on
  ``settings.scheduler`` or, without one, a local cluster of ``settings.processes`` workers.

Whatever the engine, this process stays the database's one writer: it stores the linked
batches in order, one transaction each, under the build lock.
"""

from __future__ import annotations

from importlib.util import find_spec

ENGINES = ("local", "dask")
INSTALL_DASK = "pip install 'kb[dask]'  (or: pip install 'dask[distributed]')"


class EngineUnavailable(ValueError):
    """The engine the settings ask for needs a package that is not installed."""


def check_engine(engine: str) -> None:
    """Raise :class:`EngineUnavailable`, saying how to install it, when ``engine`` cannot run
    here: before a build reads anything, not after it has loaded the model."""
    if engine == "dask" and (find_spec("dask") is None or find_spec("distributed") is None):
        raise EngineUnavailable(f"--engine dask needs Dask's distributed scheduler, which is not installed: {INSTALL_DASK}")
