"""The docs page ``docs/benchmarks.rst``: how to run, the latest results, why.

Written from a run's summary (see ``report.summarize``), so it always shows
the numbers of the JSON file next to it.
"""

import math

from benchmarks import backends as backends_module
from benchmarks.libraries import LABELS
from benchmarks.suite import JAX_LIBRARIES
from benchmarks.tables import (
    backends_line,
    calls_table,
    cold_rows,
    jobs_text,
    legend,
    ratios_table,
    table_rows,
    times_table,
    trained_lines,
)

TARGET_NOTES = """\
Why each target stands where it does:

- **Predict latency.** skdl runs one traced forward pass, kept per
  architecture; ``model.predict`` (and scikeras, which calls it) builds a
  data pipeline and a progress loop on every call. scikit-learn's MLP, a few
  NumPy products, is faster still.
- **Fixed cost.** A fit reuses the traces (the training epoch, the forward
  pass) of any earlier model with the same layers, loss, metrics and
  optimizer settings, and seeding leaves TensorFlow's kernel cache alone
  (``tf.random.set_seed`` empties it, which would make every function
  optimize its graph again on every fit). What is left is building and
  compiling the Keras model, creating its variables, and scikit-learn's
  input checks.
- **Tutorial fits against Keras and scikeras.** Each epoch is one compiled
  call instead of a ``tf.data`` pipeline and a Python loop over the steps,
  and nothing is traced again for the next fit.
- **Tutorial fits against scikit-learn's MLP.** Both run the same mini-batch
  steps, skdl's inside one compiled call per epoch and the MLP's in NumPy
  from Python; at batch size 5 each of skdl's steps is still about a hundred
  tiny TensorFlow operations, so the margin is thin there. With
  ``jit_compile=True`` XLA fuses a step into a few kernels and the margin
  grows; the first fit of an architecture (and of each data size) then pays
  XLA's compilation, about a second, which short fits do not earn back.
- **Memory.** TensorFlow keeps a compiled kernel for every variable name it
  sees, and Keras names layers by counting on (``dense_7``, ``dense_8``
  ...), so each fit of a plain Keras model leaves kernels behind: Keras's
  own ``fit`` keeps several megabytes per fit. skdl builds every network
  with layer names counted from the same start, so that one fit's kernels
  serve the next, and empties TensorFlow's kernel cache after every 800 new
  variables (a few dozen fits of new architectures), which bounds what is
  left.
- **Parallel grid search.** joblib's workers get ``OMP_NUM_THREADS`` set to
  their share of the cores, and skdl sizes TensorFlow's thread pools by
  it: one TensorFlow thread per worker on two cores, instead of a pool per
  worker as large as the machine. The speedup can exceed the number of cores
  because the ``n_jobs=1`` process keeps TensorFlow's default pools, whose
  extra threads cost CPU time and gain nothing on networks this small (see
  the CPU times). It needs cores nothing else uses: on a busy machine,
  compare the CPU times rather than the wall times.
"""


def _cell(text) -> str:
    """A table cell's text; one that reST would read as a list item is escaped."""
    text = str(text)
    if text in ("-", "*", "+") or text[:2] in ("- ", "* ", "+ "):
        return "\\" + text
    return text


def _rst_table(header, rows, title="") -> str:
    lines = [f".. list-table:: {title}".rstrip(), "   :header-rows: 1", ""]
    for row in [header, *rows]:
        lines.append(f"   * - {_cell(row[0])}")
        lines += [f"     - {_cell(cell)}" for cell in row[1:]]
    return "\n".join(lines)


def _literal(text: str) -> str:
    """Text safe in reStructuredText: braces and stars are not markup there."""
    return text.replace("*", "\\*")


def _rst_extras(summary: dict) -> str:
    parts = []
    memory = summary.get("memory")
    if memory:
        checkpoints = memory["checkpoints"]
        header = ["library"] + [f"after {n} fits" for n in checkpoints]
        header += ["MB per fit (all)", f"MB per fit (after {checkpoints[1]})"]
        rows = []
        for lib, values in memory["libraries"].items():
            row = [LABELS[lib]] + [f"{mb:.0f} MB" for mb in values["rss_mb"]]
            row += [
                f"{values.get('growth_mb_per_fit', math.nan):.3f}",
                f"{values.get('steady_growth_mb_per_fit', math.nan):.3f}",
            ]
            rows.append(row)
        parts.append(
            "Resident memory of one process fitting the diabetes network again "
            "and again (1 epoch each):\n\n" + _rst_table(header, rows)
        )
    jobs = summary.get("jobs")
    if jobs:
        parts.append(
            ".. code-block:: text\n\n"
            + "\n".join("   " + line for line in jobs_text(jobs).splitlines())
        )
    return "".join(f"\n{part}\n" for part in parts)


# The "Choosing a backend" guide includes the tables between these comments.
_BACKENDS_TABLE_START = "\n.. backends-table-start\n\n"
_BACKENDS_TABLE_END = "\n.. backends-table-end\n"


def _backends_section(backends: dict | None) -> str:
    """Issue 13's targets per Keras backend, from ``backends.json``."""
    command = "``.venv/bin/python -m benchmarks backends``"
    grid = backends_module.TUTORIAL_GRID
    workload = grid.describe(grid.epochs, grid.n_splits)
    if backends is not None:
        workload = backends["meta"]["workload"]
    intro = f"""\
{command} (a few minutes on 2 cores) times the seed's tutorial grid,
{workload},
each participant in a fresh process of its own with ``KERAS_BACKEND`` set:
skdl on TensorFlow and on JAX, scikit-learn's MLP on the same grid, and raw
Keras ``model.fit`` on both backends (its grid with ``--keras-grid``). Cold is
the first search in the process, warm the median of the next ones; the step
is a long fit less a short one, per mini-batch step; predict is one row.
skdl on TensorFlow also repeats three of the suite's measurements, compared
with ``latest.json``.
"""
    if backends is None:
        rows = [
            [t["name"], t["goal"], "not measured yet", "-"]
            for t in backends_module.targets({}, None)
        ]
        return (
            intro
            + "\nNot measured yet: no ``benchmarks/results/backends.json``.\n\n"
            + _BACKENDS_TABLE_START
            + _rst_table(["target", "goal", "verdict", "measured"], rows)
            + _BACKENDS_TABLE_END
        )
    meta = backends["meta"]
    header, rows = backends_module.table(backends["results"])
    verdicts = {True: "met", False: "**not met**", None: "not measured yet"}
    target_rows = [
        [t["name"], t["goal"], verdicts[t["met"]], t["detail"]]
        for t in backends["targets"]
    ]
    return (
        intro + f"\nMeasured on {meta['date']} with ``{meta['command']}`` on "
        f"{meta['machine']['cpu_count']} CPU cores ({meta['machine']['processor']}); "
        f"{_literal(meta['note'])}\n\n"
        + _BACKENDS_TABLE_START
        + _rst_table(header, rows)
        + "\n\n"
        + _rst_table(["target", "goal", "verdict", "measured"], target_rows)
        + _BACKENDS_TABLE_END
    )


def _fairness(summary: dict) -> str:
    lines = trained_lines(summary)
    if not lines:
        return (
            "What each red-wine candidate trained with: not measured yet (runs "
            "record it since the scikeras builder was fixed).\n"
        )
    return (
        "What each red-wine candidate trained with (the optimizer of every "
        "fitted model, and its epochs):\n\n"
        + "\n".join(f"- {_literal(line.strip())}" for line in lines)
        + "\n"
    )


def format_rst(summary: dict, image: str, command: str, backends=None) -> str:
    """The docs page: how to run, the latest tables and plot, the targets.

    ``backends`` is a ``python -m benchmarks backends`` run (its JSON), or
    None where there is none yet.
    """
    meta = summary["meta"]
    header, rows = table_rows(summary, always=JAX_LIBRARIES)
    cold_header, cold = times_table(summary, cold_rows(summary), always=JAX_LIBRARIES)
    ratio_header, ratios = ratios_table(summary, always=JAX_LIBRARIES)
    calls_header, calls = calls_table(summary, always=JAX_LIBRARIES)
    target_rows = [
        [t["name"], t["goal"], "met" if t["met"] else "**not met**", t["detail"]]
        for t in summary["targets"]
    ]
    versions = ", ".join(
        f"{name} {version}" for name, version in meta["versions"].items()
    )
    duration = meta["duration_s"] / 60
    legend_items = "\n".join(
        f"- {_literal(line)}" for line in legend(summary, always=JAX_LIBRARIES)
    )
    caveats = "".join(
        f"\n.. warning::\n\n   {_literal(caveat)}\n"
        for caveat in meta.get("caveats", [])
    )
    extras = _rst_extras(summary)
    text = f"""\
.. _benchmarks:

==========
Benchmarks
==========

How fast skdl trains and predicts next to raw Keras (``model.fit`` and
``model.predict`` with their defaults, and Keras's fast one-row calls),
scikeras 0.13 and scikit-learn's ``MLPRegressor``/``MLPClassifier``, on the
tutorials' workloads, with Keras on TensorFlow and on JAX. Every library
trains the same network on the same data, with the same epochs and batch
size, in the same run, configured the way its own users must configure it.

Running them
============

From the repository root (after ``bash scripts/test.sh`` or
``bash scripts/main.sh`` has created ``.venv``; the JAX columns need
``pip install "jax[cpu]"``):

.. code-block:: bash

   .venv/bin/python -m benchmarks           # the full suite: {duration:.0f} min here
   .venv/bin/python -m benchmarks --quick   # a smoke test of every section
   .venv/bin/python -m benchmarks backends  # issue 13's targets, per Keras backend

The full suite prints the tables below and writes
``benchmarks/results/latest.json`` (every repetition's time, the medians, the
ratios and the targets), ``benchmarks/results/latest.png`` and this page.
``--quick`` writes ``benchmarks/results/quick.*`` and leaves this page alone;
``--sections``, ``--workloads`` and ``--libraries`` run parts of the suite,
``--baseline`` compares skdl's medians with an earlier run's JSON file, and
``--from-json`` prints and writes everything again from a saved run
(``python -m benchmarks --help``).

Latest results
==============

Measured on {meta["date"]} with ``{command}`` on {meta["machine"]["cpu_count"]}
CPU cores ({meta["machine"]["processor"]}); {versions}. {meta["note"]}
{_literal(backends_line(summary))}
{caveats}
Warm: median wall times of the repetitions after the first (see the JSON
file for every repetition). A cell says "not measured yet" where this run
did not measure the figure, "failed: <reason>" where the library failed, and
"-" where the measurement does not include the library.

{_rst_table(header, rows)}

Cold: the first fit (or search) in a fresh process, tracing and compiling
included.

{_rst_table(cold_header, cold)}

Ratios: one library's time divided by another's; above 1, the second is
faster.

{_rst_table(ratio_header, ratios)}

Predict: median time of each library's ``predict`` and of its faster public
calls. scikeras has no faster call of its own: its fitted ``model_`` is a
Keras model, whose calls are Keras's rows.

{_rst_table(calls_header, calls)}

{legend_items}

.. image:: {image}
   :alt: Median wall times per measurement and library, log scale.
{extras}
{_fairness(summary)}
Targets
=======

{_rst_table(["target", "goal", "verdict", "measured"], target_rows)}

{TARGET_NOTES}

Backends: issue 13's targets
============================

{_backends_section(backends)}
What is measured
================

- **Workloads.** diabetes (scikit-learn's 442 x 10 table, regression),
  sonar (208 x 60, mines vs rocks), digits (1797 x 64, ten classes), the
  hourly bike-sharing table (17379 x 12, regression) as the large one, and
  the red-wine tutorial's grid search end to end: a ``Pipeline`` of
  ``StandardScaler`` and the 11-20-6-1 regressor, ``GridSearchCV`` over the
  optimizer (SGD, Adam) with ``KFold(10)``, 20 fits of 50 epochs and the
  refit of the best. Network sizes read input-hidden-output.
- **The same network everywhere.** skdl, scikeras and raw Keras call the same
  model-building function (``benchmarks/workloads.py``); scikit-learn's MLP
  gets the same layer sizes, activation, solver and learning rate (Keras's
  defaults: Adam at 0.001, SGD at 0.01 without momentum), no L2 penalty and
  no early stopping, so every library runs the same epochs and mini-batches.
  For raw Keras the grid search is the same loop written out (scale, build,
  fit, predict each fold, then refit the best). The tutorial's red-wine
  builder has no ``keras.Input``; scikeras 0.13 fails on such a model under
  Keras 3 ("Sequential model has no defined outputs"), so every library gets
  it with one. The builders leave ``jit_compile`` at Keras's default
  (``"auto"``): no XLA for TensorFlow on a CPU, XLA for JAX.
- **Each library as its users configure it.** scikeras hands its
  ``optimizer`` parameter to nothing but ``compile_kwargs``, so a builder
  that compiles its own model trains that model's optimizer whatever the grid
  says; its grid goes through a builder that compiles with
  ``compile_kwargs["optimizer"]``, as scikeras's users must write it. skdl
  passes ``optimizer`` to a builder that names it. Every search records the
  optimizer each fitted model trained with, and the targets check it.
- **Float precision.** skdl computes in the precision of its input: float64
  for NumPy's default arrays, like scikit-learn's MLP, where Keras and
  scikeras cast to float32. The "skdl f32" column gives skdl float32 arrays.
- **XLA.** The "skdl jit" column compiles the same network with
  ``jit_compile=True`` (``compile__jit_compile=True`` for skdl's ready-made
  network): skdl then runs each epoch's full mini-batches in one
  XLA-compiled call. Results agree with the default path to rounding, not
  bit for bit (dropout masks differ).
- **JAX.** The "skdl JAX" and "Keras JAX" columns run in worker processes
  started with ``KERAS_BACKEND=jax`` (Keras reads it once, on import); the
  results record each worker's backend and the Keras, TensorFlow and JAX
  versions.
- **Predict.** ``predict`` is each library's default call; Keras's
  ``predict_on_batch`` and ``model(x, training=False)`` skip ``predict``'s
  data pipeline and batching loop, and are timed beside it, their output
  turned into NumPy as ``predict``'s is.
- **Processes, cold and warm.** Each library runs in a worker process of its
  own and the workers take turns, so the comparisons interleave in time. Each
  fit workload and the red-wine search start fresh workers: their first
  repetition is the cold figure, the median of the others the warm one.
  scikeras runs without ``random_state``: its seeded fits switch
  TensorFlow's op determinism on for the whole process.
- **Fixed cost.** 1-epoch fits of the diabetes network in fresh workers: the
  first includes tracing; the median of the others is the cost of a fit once
  the architecture has been seen. Subtracting one epoch (from the 50-epoch
  fits) leaves the fixed cost.
- **Memory.** Resident set size (``VmRSS``) after 0, 50, 100 and 200
  1-epoch fits in one fresh process, after garbage collection.
- **Parallel grid search.** skdl's red-wine search with ``n_jobs=1`` and
  ``n_jobs=-1``, each in a fresh process and run twice there: the second
  search, which reuses joblib's workers, gives the throughput; the first
  includes starting the workers. Around the second, the CPU time of the
  process and its workers is counted too: it says what the search cost
  whatever else ran on the machine. Each worker reports its threads and
  TensorFlow's pool sizes.
- **Noise.** Medians of interleaved repetitions damp the noise of a shared
  machine but do not remove it. Compare ratios, not absolute times, across
  machines.
"""
    return text
