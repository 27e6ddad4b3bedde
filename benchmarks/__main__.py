"""``python -m benchmarks``: run the suite, print the table, write the results.

The full suite writes ``benchmarks/results/latest.json``,
``benchmarks/results/latest.png`` and ``docs/benchmarks.rst``; ``--quick``
writes ``benchmarks/results/quick.json`` and ``quick.png`` only.
``python -m benchmarks backends`` measures issue 13's targets per Keras
backend instead (see ``benchmarks/backends.py``).
"""

import argparse
import datetime
import json
import os
import sys
from pathlib import Path

from benchmarks import page, report, suite, tables
from benchmarks.workloads import FIT_WORKLOADS

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
DOCS_PAGE = ROOT / "docs" / "benchmarks.rst"
# The backends run the docs page shows beside the suite's (if there is one).
BACKENDS = RESULTS / "backends.json"


def read_backends(path: Path = BACKENDS) -> dict | None:
    return json.loads(path.read_text()) if path.exists() else None


def write_docs_page(results: Path = RESULTS, docs: Path = DOCS_PAGE) -> Path:
    """docs/benchmarks.rst again, from the committed latest.json and backends.json."""
    summary = json.loads((results / "latest.json").read_text())
    image = os.path.relpath(results / "latest.png", docs.parent).replace(os.sep, "/")
    docs.write_text(
        page.format_rst(
            summary,
            image,
            summary["meta"]["command"],
            backends=read_backends(results / "backends.json"),
        )
    )
    return docs


def _choices(values, allowed, what):
    chosen = tuple(value for value in values.split(",") if value)
    unknown = sorted(set(chosen) - set(allowed))
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown {what} {unknown}; choose among {', '.join(allowed)}"
        )
    return chosen


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Time skdl against raw Keras, scikeras and scikit-learn's MLP.",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="few epochs and repetitions: a smoke test of every section",
    )
    parser.add_argument(
        "--sections",
        type=lambda v: _choices(v, suite.SECTIONS, "section"),
        default=suite.SECTIONS,
        help="comma-separated sections to run (default: all): "
        + ", ".join(suite.SECTIONS),
    )
    parser.add_argument(
        "--libraries",
        type=lambda v: _choices(v, suite.ALL_LIBRARIES, "library"),
        default=suite.ALL_LIBRARIES,
        help="comma-separated libraries (default: all): "
        + ", ".join(suite.ALL_LIBRARIES),
    )
    parser.add_argument(
        "--workloads",
        type=lambda v: _choices(v, tuple(FIT_WORKLOADS), "workload"),
        default=tuple(FIT_WORKLOADS),
        help="comma-separated workloads of the fits section (default: all): "
        + ", ".join(FIT_WORKLOADS),
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=RESULTS,
        help="folder for the JSON and PNG files (default: benchmarks/results)",
    )
    parser.add_argument(
        "--name",
        default=None,
        help="file name stem (default: 'latest', or 'quick' with --quick)",
    )
    parser.add_argument("--no-plot", action="store_true", help="skip the PNG")
    parser.add_argument(
        "--from-json",
        type=Path,
        default=None,
        help="run nothing: print and write everything again from a saved JSON file",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        default=None,
        help="an earlier run's JSON file (copy latest.json first: the full suite "
        "overwrites it): print skdl's medians against it",
    )
    parser.add_argument(
        "--docs",
        type=Path,
        default=None,
        help="write the docs page here (default: docs/benchmarks.rst after a "
        "full run of every section, nowhere otherwise)",
    )
    return parser.parse_args(argv)


def main(argv=None) -> int:
    if argv and argv[0] == "backends":
        from benchmarks import backends

        return backends.main(argv[1:])
    args = parse_args(argv)
    baseline = None
    if args.baseline is not None:
        baseline = json.loads(args.baseline.read_text())
    if args.from_json is not None:
        summary = json.loads(args.from_json.read_text())
        summary["targets"] = report.targets(summary)
        args.quick = summary["meta"]["quick"]
        args.sections = tuple(summary["meta"]["sections"])
        command = summary["meta"]["command"]
        name = args.name or args.from_json.stem
        return _write(summary, args, name, command, baseline)
    name = args.name or ("quick" if args.quick else "latest")
    settings = suite.Settings(
        quick=args.quick,
        libraries=args.libraries,
        sections=args.sections,
        workloads=args.workloads,
    )
    command = "python -m benchmarks" + (" " + " ".join(argv) if argv else "")
    print(f"{command}: logs in {settings.log_dir}", flush=True)
    raw = suite.run(settings, progress=lambda line: print(line, flush=True))
    versions = {}
    for library_versions in raw.get("versions", {}).values():
        versions.update(library_versions)
    meta = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": command,
        "quick": args.quick,
        "sections": list(args.sections),
        "libraries": list(args.libraries),
        "workloads": list(args.workloads),
        "machine": suite.machine(),
        "versions": versions,
        "backends": raw.get("backends", {}),
        "duration_s": raw["duration_s"],
        "note": os.environ.get(
            "SKDL_BENCHMARK_NOTE",
            "The machine was shared with other jobs while the suite ran, so "
            "absolute times are noisy.",
        ),
    }
    summary = report.summarize(raw, meta)
    return _write(summary, args, name, command, baseline)


def _write(summary: dict, args, name: str, command: str, baseline=None) -> int:
    if baseline is not None:
        summary["baseline"] = report.compare(summary, baseline, str(args.baseline))
    print()
    print(tables.format_text(summary))
    json_path = args.out / f"{name}.json"
    report.write_json(summary, json_path)
    written = [json_path]
    if not args.no_plot:
        png_path = args.out / f"{name}.png"
        report.plot(summary, png_path)
        written.append(png_path)
    docs = args.docs
    full_run = not args.quick and set(args.sections) == set(suite.SECTIONS)
    if docs is None and full_run and args.out == RESULTS and not args.no_plot:
        docs = DOCS_PAGE
    if docs is not None:
        image = os.path.relpath(args.out / f"{name}.png", docs.parent)
        docs.parent.mkdir(parents=True, exist_ok=True)
        backends = read_backends(args.out / "backends.json")
        docs.write_text(
            page.format_rst(
                summary, image.replace(os.sep, "/"), command, backends=backends
            )
        )
        written.append(docs)
    print("\nwrote " + ", ".join(str(path) for path in written))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
