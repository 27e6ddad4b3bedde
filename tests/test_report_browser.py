"""The HTML report renders in a real browser: headless Chromium via ChromeDriver.

Chromium and ChromeDriver come from Debian's packages (``scripts/test.sh``
installs them when it can). The page is opened from disk, screenshotted, and
checked for its table (candidates of two estimators, the baseline row, the
comparison with the best), its four figures, console errors and any request
that leaves the file.
"""

import json
import struct

import pytest

from skdl.cli import main
from tests.chromium import headless_chromium

GRID = """
[[estimators]]
name = "network"
estimator = "KerasClassifier"
standardize = true
params.epochs = 3
params.random_state = 0
grid.optimizer = ["adam", "sgd"]
grid.hidden_layer_sizes = [[8], [16]]

[[estimators]]
estimator = "sklearn.linear_model.LogisticRegression"
standardize = true
grid.C = [0.1, 1.0]
"""


@pytest.fixture(scope="module")
def report_page(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser")
    grid = folder / "grid.toml"
    grid.write_text(GRID)
    page = folder / "report.html"
    status = main(
        [
            "report",
            "--data",
            "sonar",
            "--grid",
            str(grid),
            "--cv",
            "3",
            "--n-jobs",
            "1",
            "--out",
            str(page),
        ]
    )
    assert status == 0
    return page


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = headless_chromium(
        (1280, 2400), tmp_path_factory.mktemp("chromium-profile"), record_logs=True
    )
    yield driver
    driver.quit()


def _png_size(path):
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


def test_report_renders_in_chromium(report_page, browser, tmp_path):
    page_uri = report_page.as_uri()
    browser.get(page_uri)
    assert browser.execute_script("return document.readyState") == "complete"
    # The title names the Keras backend the networks trained on.
    assert browser.title.startswith("Cross-validation report: sonar (Keras ")

    headers = [
        cell.text
        for cell in browser.find_elements("css selector", "table.candidates th")
    ]
    assert headers[:2] == ["rank", "estimator"]
    assert {"Δ vs best", "p vs best"} <= set(headers)
    p_column = headers.index("p vs best")
    rows = browser.find_elements("css selector", "table.candidates tbody tr")
    assert len(rows) == 4 + 2 + 1  # network, logistic regression, baseline
    assert rows[0].get_attribute("class") == "best"
    assert rows[0].find_elements("tag name", "td")[0].text == "1"
    cells = [[td.text for td in row.find_elements("tag name", "td")] for row in rows]
    estimators = {row[1] for row in cells}
    assert {"network", "LogisticRegression"} <= estimators
    baseline = [row for row in rows if "baseline" in row.get_attribute("class")]
    assert len(baseline) == 1 and baseline[0].text.startswith("baseline")
    first_cell = baseline[0].find_element("tag name", "td")
    assert first_cell.value_of_css_property("font-style") == "italic"
    for row, texts in zip(rows[1:], cells[1:], strict=True):
        # The ≈ mark is shown exactly for rows the test cannot tell from the best.
        p_value = 0.0 if texts[p_column] == "<0.001" else float(texts[p_column])
        marks = row.find_elements("css selector", "span.tie")
        assert bool(marks) == (p_value >= 0.05), texts
    notes = browser.find_element("css selector", "p.table-notes").text
    assert "Nadeau and Bengio" in notes and "DummyClassifier" in notes

    images = browser.find_elements("tag name", "img")
    assert [image.get_attribute("id") for image in images] == [
        "figure-score_by_parameter",
        "figure-heatmaps",
        "figure-learning_curves",
        "figure-fit_times",
    ]
    for image in images:
        natural_width = browser.execute_script(
            "return arguments[0].complete ? arguments[0].naturalWidth : 0", image
        )
        assert natural_width > 100, image.get_attribute("id")
        assert image.size["width"] > 100 and image.size["height"] > 100

    screenshot = tmp_path / "report.png"
    assert browser.save_screenshot(str(screenshot))
    width, height = _png_size(screenshot)
    assert width >= 1000 and height >= 1000

    errors = [
        entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"
    ]
    assert errors == []
    requested = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        # Chromium's own pages (the start-up tab) make chrome:// requests too.
        if (
            message["method"] == "Network.requestWillBeSent"
            and message["params"].get("documentURL") == page_uri
        ):
            requested.append(message["params"]["request"]["url"])
    assert page_uri in requested, "the log shows no request for the page itself"
    assert all(url.startswith(("file:", "data:")) for url in requested), requested
