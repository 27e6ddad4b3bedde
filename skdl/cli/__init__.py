"""The ``skdl`` command: cross-validated grid-search reports from the shell.

::

    skdl report --data wine_quality --grid examples/red_wine_grid.toml --out report.html
    skdl datasets

``skdl report`` reads a table (a bundled dataset or a CSV file) and a TOML
grid file (see :mod:`skdl.cli._grid_file`), runs the cross-validated search
with a progress line on stderr, prints the candidates as a Markdown table
and the best parameters, and with ``--out`` writes the HTML report.
A user error (missing file, unknown column, bad TOML, unknown parameter)
is one line on stderr and exit status 2.
"""

import argparse
import sys

from skdl.cli._errors import CommandError

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="skdl", description="scikit-learn estimators for Keras deep learning."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    report = commands.add_parser(
        "report",
        help="cross-validate a grid of networks and report on it",
        description="Run a cross-validated grid search and report on it.",
    )
    report.add_argument(
        "--data",
        required=True,
        help="a bundled dataset's name (see 'skdl datasets') or a CSV file",
    )
    report.add_argument(
        "--target", help="the target column (default: a bundled dataset's own)"
    )
    report.add_argument("--grid", required=True, help="the TOML grid file")
    report.add_argument(
        "--cv", type=int, help="number of folds (overrides the grid file's n_splits)"
    )
    report.add_argument(
        "--scoring",
        help="a scikit-learn scorer name (overrides the grid file's scoring)",
    )
    report.add_argument(
        "--n-jobs", type=int, default=-1, help="parallel fits (default: -1, all cores)"
    )
    report.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run the fits on Dask: 'local' (a cluster of --n-jobs worker "
        "processes on this machine) or a scheduler's address, tcp://host:port "
        "(needs skdl[dask])",
    )
    report.add_argument(
        "--history-dir",
        metavar="FOLDER",
        help="with a remote --scheduler: a folder this machine and every worker "
        "share, for the progress line and the learning curves",
    )
    report.add_argument("--out", help="write the HTML report to this file")
    report.add_argument("--title", help="the HTML report's title")
    commands.add_parser("datasets", help="list the bundled datasets")
    return parser


def main(argv=None) -> int:
    """Run the ``skdl`` command; return its exit status.

    This is what the installed ``skdl`` command and ``python -m skdl`` call.

    Parameters
    ----------
    argv : list of str, default=None
        The command's arguments, without the program name. None reads them
        from ``sys.argv``.

    Returns
    -------
    status : int
        0 on success, 2 for a user error (reported in one line on stderr),
        130 when interrupted.

    Examples
    --------
    >>> from skdl.cli import main
    >>> main(["datasets"])  # doctest: +ELLIPSIS
    wine_quality         1599 x 11  regression     target=quality ...
    ...
    0
    """
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "datasets":
            from skdl.cli._data import dataset_listing

            print(dataset_listing())
            return 0
        from skdl.cli._report_command import run_report

        return run_report(args)
    except CommandError as error:
        print(f"skdl {args.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"skdl {args.command}: interrupted", file=sys.stderr)
        return 130
