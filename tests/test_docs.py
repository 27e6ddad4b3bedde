"""The documentation: every public name has an API page with a working example,
and the site builds with no warning, gallery figures included, offline.

The full build (``test_docs_build``) runs Sphinx in a subprocess on a copy of
``docs/`` and ``examples/``, as ``scripts/docs.sh`` does, with the examples
shortened by ``SKDL_EXAMPLES_QUICK=1``. The docstring examples themselves run
as doctests: ``pytest --doctest-modules skdl``.
"""

import importlib
import inspect
import os
import pkgutil
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import skdl
from tests.docs_layout import overflowing_code

ROOT = Path(__file__).parents[1]
DOCS = ROOT / "docs"
EXAMPLES = ROOT / "examples"
API_PAGE = DOCS / "api" / "index.rst"
# Build outputs that a local build leaves in docs/ (see docs/.gitignore).
GENERATED = ("_build", "auto_examples", "_gallery_source", "generated")
BUILD_TIMEOUT_S = 900


def public_modules() -> list:
    """skdl and its modules whose dotted path has no ``_``-prefixed part."""
    modules = [skdl]
    for info in pkgutil.walk_packages(skdl.__path__, "skdl."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        try:
            modules.append(importlib.import_module(info.name))
        except ModuleNotFoundError as error:
            if error.name and not error.name.startswith("skdl"):
                continue  # needs an optional extra that is not installed
            raise
    return modules


def public_objects() -> dict:
    """Every public class and function, by the name its module exports it as.

    A module's public names are its ``__all__``, or else the classes and
    functions it defines without a leading underscore.
    """
    objects = {}
    for module in public_modules():
        if hasattr(module, "__all__"):
            names = [name for name in module.__all__ if not name.startswith("__")]
        else:
            names = [
                name
                for name, value in vars(module).items()
                if not name.startswith("_")
                and (inspect.isclass(value) or inspect.isfunction(value))
                and value.__module__ == module.__name__
            ]
        for name in names:
            objects.setdefault(id(getattr(module, name)), (module, name))
    return {
        f"{module.__name__}.{name}": getattr(module, name)
        for module, name in objects.values()
    }


def api_reference_entries() -> dict:
    """The objects that docs/api/index.rst lists in autosummary tables.

    Returns a dict from the documented name (``skdl.KerasClassifier``), which
    is also the name of the object's generated page, to the object.
    """
    entries = {}
    module = None
    in_autosummary = False
    for line in API_PAGE.read_text(encoding="utf-8").splitlines():
        if line.startswith(".. currentmodule::"):
            module = line.split("::", 1)[1].strip()
        if line.startswith(".. autosummary::"):
            in_autosummary = True
            continue
        if in_autosummary:
            if line and not line.startswith(" "):
                in_autosummary = False
            elif line.strip() and not line.strip().startswith(":"):
                name = f"{module}.{line.strip()}"
                module_name, _, attribute = name.rpartition(".")
                entries[name] = getattr(importlib.import_module(module_name), attribute)
    return entries


def documented_name(obj, entries: dict) -> str | None:
    for name, documented in entries.items():
        if documented is obj:
            return name
    return None


def has_runnable_example(obj) -> bool:
    """Whether the docstring has an Examples section with a line that runs."""
    docstring = inspect.getdoc(obj) or ""
    match = re.search(
        r"^Examples\n-{8,}\n(.*?)(?=^\S[^\n]*\n-{3,}\n|\Z)", docstring, re.M | re.S
    )
    if not match:
        return False
    return any(
        line.strip().startswith(">>> ") and "+SKIP" not in line
        for line in match.group(1).splitlines()
    )


def test_every_public_name_is_in_the_api_reference():
    entries = api_reference_entries()
    missing = [
        name
        for name, obj in public_objects().items()
        if documented_name(obj, entries) is None
    ]
    assert not missing, f"add these to docs/api/index.rst: {missing}"


def test_every_public_name_has_a_runnable_example():
    # They run as doctests with the rest of the suite (--doctest-modules skdl).
    without = [
        name for name, obj in public_objects().items() if not has_runnable_example(obj)
    ]
    assert not without, f"give these an Examples section that runs: {without}"


def test_every_toctree_page_exists():
    # The pages other work writes (benchmarks, scaling out) must exist too.
    for page in DOCS.rglob("*.rst"):
        if any(part in GENERATED for part in page.relative_to(DOCS).parts):
            continue
        text = page.read_text(encoding="utf-8")
        for block in re.findall(r"^\.\. toctree::\n((?:[ \t]+.*\n|\n)+)", text, re.M):
            for entry in block.split("\n"):
                entry = entry.strip()
                if (
                    not entry
                    or entry.startswith(":")
                    or entry.startswith("auto_examples/")
                ):
                    continue
                assert (page.parent / f"{entry}.rst").is_file(), (
                    f"{page}: no page {entry}"
                )


# Tags whose URL the browser loads by itself (a plain <a href> is only a link).
REMOTE_RESOURCE = re.compile(
    r"<(?:script|img|iframe|source|embed|video|audio)\b[^>]*\bsrc=[\"'](?:https?:)?//"
    r"|<link\b(?=[^>]*\brel=[\"'](?:stylesheet|preload|icon|modulepreload|prefetch))"
    r"[^>]*\bhref=[\"'](?:https?:)?//"
    r"|@import\s+(?:url\()?[\"']?(?:https?:)?//"
    r"|url\([\"']?(?:https?:)?//",
    re.I,
)


@pytest.mark.slow
def test_docs_build(tmp_path):
    try:
        import numpydoc  # noqa: F401
        import pydata_sphinx_theme  # noqa: F401
        import sphinx  # noqa: F401
        import sphinx_gallery  # noqa: F401
    except ImportError as error:
        pytest.fail(f"{error}: install the docs extra, pip install -e '.[docs]'")
    source = tmp_path / "docs"
    shutil.copytree(DOCS, source, ignore=shutil.ignore_patterns(*GENERATED))
    shutil.copytree(
        EXAMPLES, tmp_path / "examples", ignore=shutil.ignore_patterns("figures")
    )
    # The benchmarks page shows the committed results' plot.
    results = ROOT / "benchmarks" / "results"
    (tmp_path / "benchmarks" / "results").mkdir(parents=True)
    shutil.copy(results / "latest.png", tmp_path / "benchmarks" / "results")
    html = tmp_path / "html"
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-b",
            "html",
            str(source),
            str(html),
        ],
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_S,
        env={**os.environ, "SKDL_EXAMPLES_QUICK": "1"},
    )
    assert build.returncode == 0, build.stdout[-5000:] + build.stderr[-10000:]

    for script in sorted(EXAMPLES.glob("plot_*.py")):
        page = html / "auto_examples" / f"{script.stem}.html"
        assert page.is_file(), f"no gallery page for {script.name}"
        figures = set(
            re.findall(
                rf"sphx_glr_{script.stem}_\d{{3}}\.png",
                page.read_text(encoding="utf-8"),
            )
        )
        assert figures, f"the gallery page of {script.name} shows no figure"
        for figure in figures:
            image = html / "_images" / figure
            assert image.is_file() and image.stat().st_size > 10_000, figure
    # Long code and output lines wrap at the page width (docs/_static/skdl.css).
    gallery_pages = sorted((html / "auto_examples").glob("plot_*.html"))
    assert overflowing_code(gallery_pages, tmp_path) == {}

    # The Reports page shows the figures of a report made during the build.
    reports_page = (html / "user_guide" / "reports.html").read_text(encoding="utf-8")
    for name in ("score_by_parameter", "learning_curves"):
        assert f"report_{name}.png" in reports_page
        image = html / "_images" / f"report_{name}.png"
        assert image.is_file() and image.stat().st_size > 10_000, image

    gallery_index = (html / "auto_examples" / "index.html").read_text(encoding="utf-8")
    for script in EXAMPLES.glob("plot_*.py"):
        assert f"{script.stem}.html" in gallery_index

    entries = api_reference_entries()
    for name, obj in public_objects().items():
        page = html / "api" / "generated" / f"{documented_name(obj, entries)}.html"
        assert page.is_file(), f"no API page for {name}"
        assert "Examples" in page.read_text(encoding="utf-8"), (
            f"{page.name}: no example"
        )

    for path in list(html.rglob("*.html")) + list(html.rglob("*.css")):
        remote = REMOTE_RESOURCE.search(
            path.read_text(encoding="utf-8", errors="replace")
        )
        assert remote is None, f"{path.relative_to(html)} loads {remote.group(0)!r}"


def test_the_layout_check_sees_a_long_line(tmp_path):
    # The check of test_docs_build can fail: an unwrapped long line overflows.
    line = "x = " + "1 + " * 400 + "1"
    plain = tmp_path / "plain.html"
    plain.write_text(f"<html><body><pre>{line}</pre></body></html>")
    wrapped = tmp_path / "wrapped.html"
    css = (DOCS / "_static" / "skdl.css").read_text(encoding="utf-8")
    wrapped.write_text(
        f"<html><head><style>{css}</style></head><body><pre>{line}</pre></body></html>"
    )
    found = overflowing_code([plain, wrapped], tmp_path)
    assert list(found) == [plain] and found[plain][0][1] > 1000
