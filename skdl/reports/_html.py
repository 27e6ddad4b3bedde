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
figure { margin: 1rem 0; } img { max-width: 100%; height: auto; }
figcaption, .note, footer { color: #555; font-size: 0.9rem; }
"""
_CAPTIONS = {
    "score_by_parameter": (
        "Score by parameter",
        "Each dot is one fold's test score of a candidate with that value; the "
        "black bar is their mean and one standard deviation.",
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


def _figure_data(figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=96)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def table_html(report) -> str:
    """The candidate table, best candidate first and highlighted."""
    rows = report.summary_rows()
    headers = [key for key in rows[0] if key != "_index"]
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = []
    for row in rows:
        css = ' class="best"' if row["_index"] == report.best_index else ""
        cells = "".join(f"<td>{escape(row[h])}</td>" for h in headers)
        body.append(f"<tr{css}>{cells}</tr>")
    return (
        f'<table class="candidates"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def report_page(report) -> str:
    """The whole page: summary, best parameters, table and figures."""
    n_folds = report.fold_scores["fold"].nunique()
    best = "".join(
        f"<tr><th>{escape(name)}</th><td>{escape(str(value))}</td></tr>"
        for name, value in report.best_params.items()
    )
    sections = [
        f"<h1>{escape(report.title)}</h1>",
        f'<p class="summary">{len(report.table)} candidate(s), {n_folds} folds each. '
        f"Best mean test {escape(report.scorer_label(report.scorer))}: "
        f"<strong>{report.best_score:.4g}</strong>.</p>",
        "<h2>Best parameters</h2>",
        f'<table class="best-params">{best}</table>'
        if best
        else "<p>None searched.</p>",
        "<h2>Candidates</h2>",
        table_html(report),
    ]
    figures = report.plot()
    for name in ("score_by_parameter", "learning_curves", "fit_times"):
        heading, caption = _CAPTIONS[name]
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
