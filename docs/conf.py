"""Sphinx configuration of skdl's documentation.

Build with ``bash scripts/docs.sh`` (``sphinx-build -W --keep-going -b html
docs docs/_build/html``). The build works offline: no intersphinx inventory
is fetched and the pages load no remote script, style sheet or font.
"""

import os
import re
import shutil
import sys
from pathlib import Path

import skdl

# The gallery trains every example; the documented switch makes them short.
os.environ.setdefault("SKDL_EXAMPLES_QUICK", "1")

DOCS = Path(__file__).resolve().parent
EXAMPLES = DOCS.parent / "examples"
sys.path.insert(0, str(DOCS / "_sphinxext"))

project = "skdl"
author = "The skdl developers"
copyright = "the skdl developers"
release = skdl.__version__
version = release.split(".dev")[0]

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "report_figures",  # the Reports page's figures, drawn at each build
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "_gallery_source", "gallery_header.rst"]
default_role = "literal"
pygments_style = "sphinx"

# -- API reference -----------------------------------------------------------
autosummary_generate = True
autodoc_typehints = "none"  # the numpydoc sections already give the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
# Docstrings keep the numpydoc layout: a one-line summary, every parameter
# and return value documented. (tests/test_docs.py checks that every public
# name has an Examples section; pytest runs them as doctests.)
numpydoc_validation_checks = {"GL08", "SS01", "SS03", "PR01", "PR02", "RT01"}
numpydoc_validation_exclude = {r"\.__\w+__$"}


# -- Example gallery ---------------------------------------------------------
# examples/ holds only the scripts (and the grid file of `skdl report`); the
# gallery's header lives with the docs, so the build stages the scripts and
# the header together in _gallery_source/ and runs them there. The scripts
# write their figures/ folder into that staging copy.
GALLERY_SOURCE = DOCS / "_gallery_source"
shutil.rmtree(GALLERY_SOURCE, ignore_errors=True)
GALLERY_SOURCE.mkdir()
shutil.copy(DOCS / "gallery_header.rst", GALLERY_SOURCE / "GALLERY_HEADER.rst")
for script in sorted(EXAMPLES.glob("plot_*.py")):
    shutil.copy(script, GALLERY_SOURCE / script.name)

sphinx_gallery_conf = {
    "examples_dirs": str(GALLERY_SOURCE),
    "gallery_dirs": "auto_examples",
    "doc_module": ("skdl",),
    "backreferences_dir": "api/generated/backreferences",
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "gallery_order.TutorialOrder",
    # Its timing page loads DataTables from a CDN; the build stays offline.
    "write_computation_times": False,
    # A failing example fails the build (at its end, after every example ran).
    "only_warn_on_example_error": False,
}

# -- HTML --------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"skdl {release}"
html_show_sourcelink = False
html_static_path = ["_static"]
html_css_files = ["skdl.css"]
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
    "secondary_sidebar_items": ["page-toc"],
}
# Pages without sub-pages need no section navigation.
html_sidebars = {
    page: []
    for page in (
        "index",
        "getting_started",
        "from_scikeras",
        "from_mlp",
        "benchmarks",
        "changelog",
    )
}


# -- The command's help, as the installed version prints it ------------------
def _write_command_output(argv: list[str], file_name: str) -> None:
    import contextlib
    import io

    from skdl.cli import main

    output = io.StringIO()
    columns = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "88"  # argparse wraps the help to this width
    try:
        with contextlib.redirect_stdout(output):
            main(argv)
    except SystemExit:  # --help exits
        pass
    finally:
        if columns is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = columns
    generated = DOCS / "api" / "generated"
    generated.mkdir(parents=True, exist_ok=True)
    text = output.getvalue()
    target = generated / file_name
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")


_write_command_output(["report", "--help"], "skdl_report_help.txt")
_write_command_output(["datasets"], "skdl_datasets.txt")


# -- Inherited scikit-learn docstrings ----------------------------------------
def _offline_scikit_learn_docstring(app, what, name, obj, options, lines):
    """Keep the text of scikit-learn's cross references and formulas.

    Inherited methods (``score``, ``get_params``) point to labels of
    scikit-learn's own documentation, which this build does not have, and
    their formulas would load MathJax from a CDN.
    """
    if (getattr(obj, "__module__", None) or "").startswith("skdl"):
        return
    for number, line in enumerate(lines):
        line = re.sub(r":ref:`([^`<]+?)\s*<[^`>]+>`", r"\1", line)
        line = re.sub(r":ref:`([^`]+)`", r"``\1``", line)
        lines[number] = re.sub(r":math:`([^`]+)`", r"``\1``", line)


def setup(app):
    app.connect("autodoc-process-docstring", _offline_scikit_learn_docstring)
