"""Analysis: a recording in, a report document out.

* :mod:`~gait.analysis.single`: the whole analysis of one recording held in memory (events ->
  steps -> per side -> symmetry -> verdict), pure computation;
* :mod:`~gait.analysis.pipeline`: the one driver that ``gait report``, ``gait batch`` and
  :func:`gait.analyse` call: it reads a source whole or in chunks, analyses chunks in worker
  processes and joins them;
* :mod:`~gait.analysis.workers`: the worker processes (start, stop with the parent, Ctrl-C).
"""
