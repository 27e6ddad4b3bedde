"""Tables for ``skdl report --data``: a bundled dataset's name or a CSV file."""

import functools
from pathlib import Path

import pandas as pd

from skdl import datasets
from skdl.cli._errors import CommandError

# name -> (loader, task, one-line description)
BUNDLED = {
    "wine_quality": (
        datasets.load_wine_quality,
        "regression",
        "Red-wine quality from 11 physico-chemical measurements (UCI).",
    ),
    "sonar": (
        datasets.load_sonar,
        "classification",
        "Sonar returns of mines (M) and rocks (R), 60 bands (UCI).",
    ),
    "pima_diabetes": (
        datasets.load_pima_diabetes,
        "classification",
        "Diabetes onset of Pima Indian women from 8 measurements.",
    ),
    "bike_sharing_day": (
        functools.partial(datasets.load_bike_sharing, frequency="day"),
        "regression",
        "Daily Capital Bikeshare rentals with weather and calendar (UCI).",
    ),
    "bike_sharing_hour": (
        functools.partial(datasets.load_bike_sharing, frequency="hour"),
        "regression",
        "Hourly Capital Bikeshare rentals with weather and calendar (UCI).",
    ),
    "ice_cream": (
        datasets.load_ice_cream,
        "regression",
        "The 10-row ice-cream revenue tutorial table.",
    ),
}


def bundled_table(name: str) -> tuple[pd.DataFrame, str]:
    """A bundled dataset as one frame, and the name of its target column."""
    bunch = BUNDLED[name][0](as_frame=True)
    return bunch.frame, bunch.target.name


def dataset_listing() -> str:
    """One line per bundled dataset: name, shape, task, target, description."""
    lines = []
    for name, (_, task, description) in BUNDLED.items():
        frame, target = bundled_table(name)
        shape = f"{len(frame)} x {frame.shape[1] - 1}"
        lines.append(
            f"{name:<18} {shape:>11}  {task:<14} target={target:<10} {description}"
        )
    return "\n".join(lines)


def load_table(data: str, target: str | None) -> tuple[pd.DataFrame, pd.Series]:
    """Features and target from a bundled name or a CSV path.

    Parameters
    ----------
    data : str
        A name from :data:`BUNDLED`, or the path of a CSV file with a header.
    target : str or None
        The target column; required for a CSV file, the dataset's own target
        by default for a bundled one.
    """
    if data in BUNDLED:
        frame, default_target = bundled_table(data)
        target = target or default_target
    else:
        path = Path(data)
        if not path.is_file():
            raise CommandError(
                f"no such file or bundled dataset: {data!r} "
                f"(bundled: {', '.join(BUNDLED)}; see 'skdl datasets')"
            )
        try:
            frame = pd.read_csv(path)
        except (
            pd.errors.ParserError,
            pd.errors.EmptyDataError,
            UnicodeDecodeError,
        ) as e:
            raise CommandError(f"cannot read {data} as CSV: {e}") from None
        if target is None:
            raise CommandError(f"--target is required with a CSV file ({data})")
    if target not in frame.columns:
        raise CommandError(
            f"unknown column {target!r} in {data}; columns are: "
            f"{', '.join(map(str, frame.columns))}"
        )
    X = frame.drop(columns=[target])
    non_numeric = [str(c) for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    if non_numeric:
        raise CommandError(
            f"non-numeric feature columns in {data}: {', '.join(non_numeric)}; "
            "encode them as numbers first"
        )
    if X.shape[1] == 0:
        raise CommandError(f"{data} has no feature column besides {target!r}")
    return X, frame[target]
