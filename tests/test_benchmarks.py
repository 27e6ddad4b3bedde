"""The benchmark suite runs and writes results of the documented shape.

Only the structure is checked: timings depend on the machine.
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_quick_benchmark_writes_json_plot_and_page(tmp_path):
    page = tmp_path / "docs" / "benchmarks.rst"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks",
            "--quick",
            "--sections=fixed_cost,latency",
            "--libraries=skdl,sklearn",
            f"--out={tmp_path}",
            f"--docs={page}",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    results = json.loads((tmp_path / "quick.json").read_text())
    assert {"meta", "fixed_cost", "latency", "targets", "failures"} <= set(results)
    assert results["failures"] == {}
    meta = results["meta"]
    assert meta["quick"] is True
    assert meta["libraries"] == ["skdl", "sklearn"]
    assert meta["machine"]["cpu_count"] >= 1
    assert "tensorflow" in meta["versions"] and "scikit-learn" in meta["versions"]

    for rows in ("1", "1000"):
        latency = results["latency"][rows]
        assert set(latency["libraries"]) == {"skdl", "sklearn"}
        assert latency["libraries"]["skdl"]["median_ms"] > 0
        assert latency["libraries"]["skdl"]["calls"] >= 3
        assert latency["ratios"]["sklearn"] > 0
    fixed = results["fixed_cost"]["skdl"]
    assert fixed["first_fit_s"] > 0 and fixed["one_epoch_fit_s"] > 0
    assert len(fixed["times_s"]) >= 2

    names = {target["name"] for target in results["targets"]}
    assert {"predict 1 row", "fixed cost per fit (architecture seen before)"} <= names
    for target in results["targets"]:
        assert set(target) == {"name", "goal", "value", "met", "detail"}
        assert isinstance(target["met"], bool)

    assert (tmp_path / "quick.png").stat().st_size > 0
    text = page.read_text()
    assert text.startswith(".. _benchmarks:") and "\nBenchmarks\n==========" in text
    assert ".. image:: ../quick.png" in text and ".. list-table::" in text


def test_the_docs_page_is_the_generated_one():
    # docs/benchmarks.rst is written by benchmarks/page.py from the committed
    # run; an edit by hand, or a change of the generator without writing the
    # page again, shows here.
    from benchmarks import page

    results = ROOT / "benchmarks" / "results"
    summary = json.loads((results / "latest.json").read_text())
    text = page.format_rst(
        summary, "../benchmarks/results/latest.png", summary["meta"]["command"]
    )
    assert (ROOT / "docs" / "benchmarks.rst").read_text() == text, (
        "docs/benchmarks.rst is not what benchmarks/page.py writes from "
        "benchmarks/results/latest.json: write it again with format_rst"
    )
    # A "-" cell is text, not a bullet; the job lines are plain text.
    assert "\n     - -\n" not in text and "\n::\n" not in text
