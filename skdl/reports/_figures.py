"""The report's figures, drawn with matplotlib.

Each function takes the report's tables and returns one ``Figure``; none of
them shows or saves it.
"""

import textwrap

import numpy as np
import pandas as pd

# Learning curves are drawn for the best few candidates only: ten folds of
# every candidate of a large grid would be unreadable and make the file huge.
MAX_LEARNING_CURVE_CANDIDATES = 4


def _figure(**kwargs):
    # Figures are made without pyplot: no GUI backend, no global figure list to
    # leak into, and notebooks still display them.
    from matplotlib.figure import Figure

    return Figure(**kwargs)


def _display(value) -> str:
    return str(value)


def score_by_parameter(
    table, folds, parameters, scorer, *, score_label, names=None, baseline=None
):
    """Test score against each searched parameter, every fold a dot.

    The bar of each value is the mean over the candidates that have it, its
    line one standard deviation of their fold scores. Candidates without the
    parameter (another estimator's) are left out of its panel. ``baseline``,
    a mean test score, is drawn as a dashed line.
    """
    n = max(len(parameters), 1)
    fig = _figure(figsize=(max(3.6 * n, 5), 3.6))
    axes = fig.subplots(1, n, squeeze=False, sharey=True)
    test = folds[(folds["set"] == "test") & (folds["scorer"] == scorer)]
    rng = np.random.default_rng(0)
    for ax, parameter in zip(axes[0], parameters, strict=False):
        having = table[table[parameter].notna()]
        labels = having[parameter].map(_display)
        values = list(dict.fromkeys(labels))
        for position, value in enumerate(values):
            candidates = having.index[labels == value]
            scores = test.loc[test["candidate"].isin(candidates), "score"].to_numpy()
            jitter = rng.uniform(-0.15, 0.15, size=len(scores))
            ax.scatter(position + jitter, scores, s=10, alpha=0.45, color="tab:blue")
            ax.errorbar(
                position,
                scores.mean(),
                yerr=scores.std(),
                fmt="o",
                color="black",
                capsize=5,
            )
        ax.set_xticks(range(len(values)), values, rotation=20)
        xlabel = (names or {}).get(parameter, parameter)
        ax.set(xlabel=xlabel, xlim=(-0.6, len(values) - 0.4))
        ax.grid(axis="y", alpha=0.3)
        if baseline is not None:
            ax.axhline(baseline, color="tab:red", ls="--", lw=1, label="baseline")
    if baseline is not None:
        axes[0, 0].legend(loc="best", fontsize=8)
    if not parameters:
        axes[0, 0].text(0.5, 0.5, "no parameter was searched", ha="center")
    axes[0, 0].set_ylabel(score_label)
    title = "Dots: folds; bars: mean ± std"
    if baseline is not None:
        title += "; dashed: baseline"
    fig.suptitle(title, fontsize=9)
    fig.set_layout_engine("tight")
    return fig


def varying_pairs(table, parameters) -> list[tuple[str, str]]:
    """Pairs of ``parameters`` that both take two values or more in ``table``.

    Only the rows that have both parameters count (with several estimators,
    a parameter of one is NaN in the others' rows).
    """
    pairs = []
    for position, first in enumerate(parameters):
        for second in parameters[position + 1 :]:
            both = table[table[first].notna() & table[second].notna()]
            if (
                both[first].map(_display).nunique() > 1
                and both[second].map(_display).nunique() > 1
            ):
                pairs.append((first, second))
    return pairs


def score_heatmaps(table, pairs, scorer, *, score_label, names=None):
    """Mean test score over the grid of each pair of parameters, one panel each.

    A cell is the mean, over the candidates with those two values, of their
    mean test scores; an empty cell is a combination not searched.
    """
    names = names or {}
    fig = _figure(figsize=(4.6 * len(pairs), 3.9))
    axes = fig.subplots(1, len(pairs), squeeze=False)[0]
    for ax, (first, second) in zip(axes, pairs, strict=True):
        having = table[table[first].notna() & table[second].notna()]
        grid = (
            pd.DataFrame(
                {
                    "row": having[first].map(_display),
                    "column": having[second].map(_display),
                    "score": having[f"mean_test_{scorer}"].astype(float),
                }
            )
            .groupby(["row", "column"], sort=False)["score"]
            .mean()
            .unstack("column")
        )
        image = ax.imshow(grid.to_numpy(dtype=float), cmap="viridis", aspect="auto")
        ax.set_xticks(range(grid.shape[1]), grid.columns, rotation=20)
        ax.set_yticks(range(grid.shape[0]), grid.index)
        ax.set(xlabel=names.get(second, second), ylabel=names.get(first, first))
        low, high = image.get_clim()
        for (row, column), value in np.ndenumerate(grid.to_numpy(dtype=float)):
            if np.isfinite(value):
                # Dark text on the light (high) end of viridis, light on the dark.
                light = high > low and (value - low) / (high - low) > 0.6
                ax.text(
                    column,
                    row,
                    f"{value:.3g}",
                    ha="center",
                    va="center",
                    color="black" if light else "white",
                    fontsize=8,
                )
        fig.colorbar(image, ax=ax, label=f"mean test {score_label}")
    fig.suptitle("Mean test score over two parameters' grid", fontsize=9)
    fig.set_layout_engine("tight")
    return fig


def learning_curves(histories_by_candidate, labels):
    """Each fold's loss and metrics per epoch, for a few candidates.

    One column per candidate, one row per logged quantity (loss first).

    Parameters
    ----------
    histories_by_candidate : list of list of dict
        For each candidate drawn, the histories of its folds.
    labels : list of str
        A title for each candidate.
    """
    from matplotlib.ticker import MaxNLocator

    metrics = []
    for histories in histories_by_candidate:
        for history in histories:
            for name in history:
                base = name.removeprefix("val_")
                if base not in metrics:
                    metrics.append(base)
    rows, columns = max(len(metrics), 1), len(histories_by_candidate)
    fig = _figure(figsize=(max(3.6 * columns, 6), 0.6 + 2.6 * rows))
    axes = fig.subplots(rows, columns, squeeze=False, sharex="col")
    for column, (histories, label) in enumerate(
        zip(histories_by_candidate, labels, strict=True)
    ):
        axes[0, column].set_title(textwrap.fill(label, 40), fontsize=8)
        for row, metric in enumerate(metrics):
            ax = axes[row, column]
            for fold, history in enumerate(histories):
                color = f"C{fold % 10}"
                for name, style in ((metric, "-"), (f"val_{metric}", "--")):
                    if name in history:
                        epochs = np.arange(1, len(history[name]) + 1)
                        ax.plot(epochs, history[name], color=color, lw=1, ls=style)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.grid(alpha=0.3)
            if column == 0:
                ax.set_ylabel(metric)
            if row == rows - 1:
                ax.set_xlabel("epoch")
    fig.suptitle("One line per fold; dashed: validation", fontsize=9)
    fig.set_layout_engine("tight")
    return fig


def fit_times(table: pd.DataFrame, labels):
    """Mean fit time of each candidate, with its standard deviation."""
    fig = _figure(figsize=(8, 1.2 + 0.32 * len(table)))
    ax = fig.subplots()
    positions = np.arange(len(table))
    ax.barh(
        positions, table["mean_fit_time"], xerr=table["std_fit_time"], color="tab:gray"
    )
    ax.set_yticks(positions, labels, fontsize=8)
    ax.invert_yaxis()
    ax.set(xlabel="fit time per fold (s)")
    ax.grid(axis="x", alpha=0.3)
    fig.set_layout_engine("tight")
    return fig
