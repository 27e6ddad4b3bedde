"""The report as one self-contained HTML page.

Figures are PNG data URIs and the styles are inline. The page's content
security policy forbids every other source, so opening it fetches nothing.
"""

import base64
import datetime
import io
from html import escape

import skdl

_POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 70rem;
       padding: 0 1rem; color: #222; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
table { border-collapse: collapse; font-size: 0.9rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3rem 0.7rem; text-align: left; }
th { background: #f4f4f4; }
tr.best td { font-weight: 600; background: #eef6ee; }
tr.tied td { background: #f6f8ee; }
tr.baseline td { font-style: italic; color: #555; background: #f7f0f0;
                 border-top: 1px dashed #b88; border-bottom: 1px dashed #b88; }
.tie { color: #476; font-weight: 600; }
.table-scroll { overflow-x: auto; }
figure { margin: 1rem 0; } img { max-width: 100%; height: auto; }
figcaption, .note, footer { color: #555; font-size: 0.9rem; }
"""
_CAPTIONS = {
    "score_by_parameter": (
        "Score by parameter",
        "Each dot is one fold's test score of a candidate with that value; the "
        "black bar is their mean and one standard deviation.",
    ),
    "heatmaps": (
        "Two parameters at a time",
        "Mean test score over the grid of two searched parameters, averaged over "
        "the other parameters' values; blank cells were not searched.",
    ),
    "learning_curves": (
        "Learning curves",
        "Loss and metrics per epoch of each fold's network, for the best-ranked "
        "candidates; dashed lines are validation values.",
    ),
    "fit_times": (
        "Fit time",
        "Mean time to fit one fold, with its standard deviation.",
    ),
}


_TIE_TITLE = "not distinguishable from the best at the 5 % level"


def _figure_data(figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=96)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def table_html(report) -> str:
    """The candidate table, best candidate first and highlighted."""
    rows = report.summary_rows()
    headers = [key for key in rows[0] if not key.startswith("_")]
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = []
    for row in rows:
        classes = []
        if row["_index"] == report.best_index:
            classes.append("best")
        if row["_baseline"]:
            classes.append("baseline")
        elif row["_tied"]:
            classes.append("tied")
        cells = [escape(row[h]) for h in headers]
        if row["_tied"] and not row["_baseline"]:
            cells[0] += f' <span class="tie" title="{_TIE_TITLE}">≈</span>'
        elif row["_tied"]:
            cells[0] += f' <span class="tie" title="{_TIE_TITLE}">≈ best</span>'
        css = f' class="{" ".join(classes)}"' if classes else ""
        body.append(f"<tr{css}>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return (
        f'<table class="candidates"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _table_notes(report) -> str:
    """How to read the table: the baseline, the differences and p-values."""
    notes = []
    if report.has_baseline:
        notes.append(
            "The <em>baseline</em> row is "
            f"{escape(report.baseline_name.removeprefix('baseline: '))}, scored "
            "on the same folds: a candidate no better than it learned nothing "
            "from the features."
        )
    if len(report.table) > 1:
        notes.append(
            "<em>Δ vs best</em> is the mean over the folds of the row's test score "
            "minus the best candidate's on the same fold."
        )
    if report.table["p_value_vs_best"].notna().any():
        notes.append(
            "<em>p vs best</em> is the two-sided p-value of the corrected "
            "resampled t-test (Nadeau and Bengio, 2003) of those fold differences, "
            "which allows for the overlap of the folds' training sets. Rows marked "
            '<span class="tie">≈</span> (p ≥ 0.05) are not distinguishable from '
            "the best on these folds; that does not make them equally good."
        )
    if not notes:
        return ""
    return '<p class="note table-notes">' + " ".join(notes) + "</p>"


def report_page(report) -> str:
    """The whole page: summary, best parameters, table and figures."""
    n_folds = report.fold_scores["fold"].nunique()
    best = "".join(
        f"<tr><th>{escape(name)}</th><td>{escape(str(value))}</td></tr>"
        for name, value in report.best_params.items()
    )
    sections = [
        f"<h1>{escape(report.title)}</h1>",
        f'<p class="summary">{report.n_candidates} candidate(s), {n_folds} folds each. '
        f"Best mean test {escape(report.scorer_label(report.scorer))}: "
        f"<strong>{report.best_score:.4g}</strong>.</p>",
        "<h2>Best parameters</h2>",
        f'<table class="best-params">{best}</table>'
        if best
        else "<p>None searched.</p>",
        "<h2>Candidates</h2>",
        # A wide table (several estimators' parameters) scrolls on its own.
        f'<div class="table-scroll">{table_html(report)}</div>',
        _table_notes(report),
    ]
    figures = report.plot()
    for name in ("score_by_parameter", "heatmaps", "learning_curves", "fit_times"):
        heading, caption = _CAPTIONS[name]
        if name == "heatmaps" and name not in figures:
            continue
        sections.append(f"<h2>{heading}</h2>")
        if name not in figures:
            sections.append(
                '<p class="note">No training histories were recorded. Score the '
                "search with <code>skdl.reports.HistoryRecorder</code>, or use "
                "<code>cross_validate(..., return_estimator=True)</code>, to see "
                "them.</p>"
            )
            continue
        sections.append(
            f'<figure><img id="figure-{name}" alt="{escape(heading)}" '
            f'src="data:image/png;base64,{_figure_data(figures[name])}">'
            f"<figcaption>{escape(caption)}</figcaption></figure>"
        )
    generated = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    sections.append(f"<footer>Made by skdl {skdl.__version__} on {generated}.</footer>")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_POLICY}">\n'
        f"<title>{escape(report.title)}</title>\n<style>{_STYLE}</style>\n</head>\n"
        "<body>\n" + "\n".join(sections) + "\n</body>\n</html>\n"
    )
