"""Every Python block of README.md and the docs runs as a reader would run it.

Each page's Python blocks are written, in order, into one script, which runs
in a fresh interpreter from an empty folder: a block may use what the blocks
above it on the same page defined, and nothing else. ``pycon`` blocks
(``>>>``) run as doctests, their output checked. A block that cannot run
here (a remote scheduler, several GPUs) carries a ``skip-test`` marker with
a reason; one that trains too long for CI runs with the texts that its
``test-shorten`` marker names replaced; a complete script marked
``test-alone`` runs in an interpreter of its own (tests/doc_blocks.py
describes the markers).

``EXPECTED`` counts each page's blocks, so that a block that the parser stops
seeing, or that a marker takes out of the run, fails a test here.
"""

import os
import re
import subprocess
import sys

import pytest

from tests.doc_blocks import (
    ROOT,
    MarkerError,
    code_blocks,
    count_python_openings,
    documented_pages,
    python_blocks,
)

# Python blocks of each page: (run as written, run shortened, skipped).
EXPECTED = {
    "README.md": (2, 2, 0),
    "docs/index.rst": (0, 1, 0),
    "docs/getting_started.rst": (3, 0, 0),
    "docs/from_mlp.rst": (1, 0, 0),
    "docs/from_scikeras.rst": (1, 0, 0),
    "docs/user_guide/backends.rst": (1, 0, 0),
    "docs/user_guide/beyond_tables.rst": (3, 0, 0),
    "docs/user_guide/custom_models.rst": (4, 0, 0),
    "docs/user_guide/grid_search.rst": (5, 0, 0),
    "docs/user_guide/ready_made_network.rst": (3, 0, 0),
    "docs/user_guide/reports.rst": (3, 0, 0),
    "docs/user_guide/reproducibility.rst": (1, 0, 0),
    "docs/user_guide/saving.rst": (4, 0, 0),
    "docs/user_guide/scaling_out.rst": (4, 0, 5),
}
PAGE_TIMEOUT_S = 600
PAGES = {str(page.relative_to(ROOT)): page for page in documented_pages()}


def counts(page) -> tuple:
    blocks = python_blocks(page)
    shortened = sum(1 for b in blocks if b.marker and b.marker.kind == "test-shorten")
    skipped = sum(1 for block in blocks if block.skipped)
    return len(blocks) - shortened - skipped, shortened, skipped


def test_every_page_is_known():
    assert "README.md" in PAGES and "docs/getting_started.rst" in PAGES
    for name in EXPECTED:
        assert name in PAGES, f"{name} is gone: update EXPECTED"


@pytest.mark.parametrize("name", sorted(PAGES))
def test_blocks_found_and_counted(name):
    page = PAGES[name]
    blocks = python_blocks(page)
    # The parser finds every opening that a line-by-line count finds.
    assert len(blocks) == count_python_openings(page), name
    # Every block either runs or is marked, and the counts are the expected.
    assert counts(page) == EXPECTED.get(name, (0, 0, 0)), (
        f"{name}: (run, shortened, skipped) changed; update EXPECTED if meant"
    )
    for block in blocks:
        if block.language != "pycon":
            compile(block.code_to_run(), block.where, "exec")


# Text that is Python but would not run: a literal block (``::``) or a fence
# without a language is neither highlighted as Python nor tested.
LOOKS_LIKE_PYTHON = re.compile(r"^\s*(>>> |import \w|from [\w.]+ import )", re.M)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_python_is_in_python_blocks(name):
    page = PAGES[name]
    text = page.read_text(encoding="utf-8")
    if page.suffix == ".md":
        untested = [b for b in code_blocks(page) if not b.language]
        chunks = [(b.where, b.code) for b in untested]
    else:
        chunks = []
        for match in re.finditer(r"^(?!\.\. ).*::\n\n((?:[ \t]+.*\n|\n)+)", text, re.M):
            line = text[: match.start()].count("\n") + 1
            chunks.append((f"{name}:{line}", match.group(1)))
    for where, chunk in chunks:
        assert not LOOKS_LIKE_PYTHON.search(chunk), (
            f"{where}: Python in a plain block; use a python or pycon code block"
        )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (".. skip-test: needs a scheduler\n\nSome text.\n", "not followed"),
        (".. skip-test:\n\n.. code-block:: python\n\n   x = 1\n", "needs a reason"),
        (
            ".. skip-tset: a typo in the name\n\n.. code-block:: python\n\n   x\n",
            "unknown",
        ),
        (
            ".. skip-test: a plain block is never run\n\n.. code-block:: bash\n\n   ls\n",
            "not a Python one",
        ),
        (
            '.. test-shorten: fewer epochs for CI\n   "epochs=50" -> "epochs=2"\n\n'
            ".. code-block:: python\n\n   fit(epochs=20)\n",
            "does not hold",
        ),
        (
            ".. test-shorten: fewer epochs for CI\n\n.. code-block:: python\n\n   x\n",
            "names no",
        ),
    ],
)
def test_bad_markers_are_errors(tmp_path, text, message, monkeypatch):
    monkeypatch.setattr("tests.doc_blocks.ROOT", tmp_path)
    page = tmp_path / "page.rst"
    page.write_text(text, encoding="utf-8")
    with pytest.raises(MarkerError, match=message):
        code_blocks(page)


def test_markdown_markers(tmp_path, monkeypatch):
    monkeypatch.setattr("tests.doc_blocks.ROOT", tmp_path)
    page = tmp_path / "page.md"
    page.write_text(
        "<!-- skip-test: needs a running scheduler -->\n```python\nconnect()\n```\n\n"
        "<!-- test-shorten: fewer folds for CI\n"
        '"KFold(10)" -> "KFold(2)"\n-->\n```python\nfit(cv=KFold(10))\n```\n'
        "```python\nprint(1)\n```\n",
        encoding="utf-8",
    )
    skipped, shortened, plain = code_blocks(page)
    assert skipped.skipped and skipped.marker.reason == "needs a running scheduler"
    assert shortened.code_to_run() == "fit(cv=KFold(2))\n"
    assert plain.marker is None and plain.line == 13
    page.write_text("<!-- skip-test: no block follows -->\n\ntext\n", encoding="utf-8")
    with pytest.raises(MarkerError, match="not followed"):
        code_blocks(page)


PRELUDE = """\
# Written by tests/test_doc_blocks.py: the Python blocks of {page}, in order.
import doctest as _doctest


def _run_pycon(source, namespace, where, line):
    parser = _doctest.DocTestParser()
    test = parser.get_doctest(source, namespace, where, where, line)
    runner = _doctest.DocTestRunner(optionflags=_doctest.ELLIPSIS)
    runner.run(test, clear_globs=False)
    if runner.failures:
        raise SystemExit(f"{{where}}: the output differs from the page's (above)")
"""


def page_scripts(name: str) -> dict:
    """The scripts that run a page's blocks, by test id.

    One runs the page's blocks in order; each ``test-alone`` block gets its
    own.
    """
    blocks = [block for block in python_blocks(PAGES[name]) if not block.skipped]
    scripts = {}
    together = [block for block in blocks if not block.alone]
    if together:
        scripts[name] = script_of(name, together)
    for block in blocks:
        if block.alone:
            scripts[block.where] = script_of(name, [block])
    return scripts


def script_of(name: str, blocks: list) -> str:
    parts = [PRELUDE.format(page=name)]
    for block in blocks:
        parts.append(f"# ---- {block.where} ----")
        if block.language == "pycon":
            parts.append(
                f"_run_pycon({block.code_to_run()!r}, globals(), "
                f"{block.where!r}, {block.line - 1})"
            )
        else:
            parts.append(block.code_to_run())
    return "\n".join(parts) + "\n"


SCRIPTS = {
    test_id: (name, script)
    for name in sorted(PAGES)
    for test_id, script in page_scripts(name).items()
}


def test_runnable_pages_are_the_expected():
    runnable = sorted({name for name, _ in SCRIPTS.values()})
    assert runnable == sorted(name for name, c in EXPECTED.items() if any(c[:2]))


@pytest.mark.slow
@pytest.mark.parametrize("test_id", SCRIPTS)
def test_page_runs(test_id, tmp_path):
    name, text = SCRIPTS[test_id]
    script = tmp_path / "page_blocks.py"
    script.write_text(text, encoding="utf-8")
    environment = {**os.environ, "MPLBACKEND": "Agg"}
    run = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=PAGE_TIMEOUT_S,
        env=environment,
    )
    assert run.returncode == 0, (
        f"{test_id}: the blocks failed as one script ({script}):\n"
        f"{run.stdout[-3000:]}\n{run.stderr[-6000:]}"
    )
