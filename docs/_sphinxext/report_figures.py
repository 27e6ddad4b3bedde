"""Pictures of a real report for the Reports page, made at every build.

The build runs a small search of the red-wine data (two optimizers, three
folds, a few epochs: a few seconds), scored with a ``HistoryRecorder``, and
saves the figures of its :class:`skdl.reports.CVReport` into
``docs/user_guide/generated/``, which git ignores: the page always shows
what the current code draws, never a stale image.
"""

from pathlib import Path

FIGURES = ("score_by_parameter", "learning_curves")


def write_report_figures(folder: Path) -> list[Path]:
    """Fit a small search, report it and save its figures as PNG files."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.model_selection import GridSearchCV, KFold
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    from skdl import KerasRegressor
    from skdl.datasets import load_wine_quality
    from skdl.reports import CVReport, HistoryRecorder

    X, y = load_wine_quality(return_X_y=True)
    pipe = Pipeline(
        [
            ("standardize", StandardScaler()),
            ("mlp", KerasRegressor(batch_size=32, random_state=0)),
        ]
    )
    grid = {"mlp__optimizer": ["sgd", "adam"], "mlp__epochs": [5, 15]}
    recorder = HistoryRecorder("neg_mean_squared_error")
    search = GridSearchCV(pipe, grid, cv=KFold(3), scoring=recorder)
    search.fit(X, y)
    figures = CVReport.from_search(search).plot()
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in FIGURES:
        path = folder / f"report_{name}.png"
        figures[name].savefig(path, dpi=80, bbox_inches="tight")
        written.append(path)
    for figure in figures.values():
        plt.close(figure)
    return written


def _on_builder_inited(app):
    write_report_figures(Path(app.srcdir) / "user_guide" / "generated")


def setup(app):
    app.connect("builder-inited", _on_builder_inited)
    return {"parallel_read_safe": True}
