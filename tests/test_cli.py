"""The ``skdl`` command line: the report command, its output and its errors."""

import io
import subprocess
import sys
import textwrap

import keras
import pytest

from skdl.cli import main
from skdl.cli._progress import ProgressLine

SMALL_GRID = """
estimator = "KerasRegressor"
standardize = true
scoring = "neg_mean_squared_error"

[params]
batch_size = 64
random_state = 0

[grid]
optimizer = ["SGD", "Adam"]
hidden_layer_sizes = [[8], [16, 8]]
epochs = [2]

[cv]
splitter = "KFold"
n_splits = 3
"""


@pytest.fixture
def grid_file(tmp_path):
    def write(text=SMALL_GRID, name="grid.toml"):
        path = tmp_path / name
        path.write_text(textwrap.dedent(text))
        return str(path)

    return write


def test_report_prints_table_and_writes_html(grid_file, tmp_path, capsys):
    out = tmp_path / "report.html"
    status = main(
        ["report", "--data", "wine_quality", "--grid", grid_file(), "--out", str(out)]
    )
    assert status == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[0].startswith("| rank | epochs | hidden_layer_sizes | optimizer |")
    # The header, 4 candidates and the baseline row.
    assert sum(line.startswith("| ") for line in lines) == 1 + 4 + 1
    assert any(line.startswith("| baseline |") for line in lines)
    assert "p vs best" in lines[0]
    assert "model__optimizer = " in captured.out
    assert "Best mean test neg_mean_squared_error" in captured.out
    # The progress line reached the end: 4 candidates x 3 folds.
    assert "12/12 fits" in captured.err
    page = out.read_text()
    # Learning curves and a heat map of optimizer x hidden_layer_sizes included.
    assert page.count("data:image/png;base64,") == 4
    assert 'id="figure-heatmaps"' in page
    assert "wine_quality" in page
    # The backend the networks trained on is named, as Keras names it.
    backend = f"Keras {keras.__version__} on {keras.backend.backend()} "
    assert f"Networks trained with {backend}" in captured.out
    assert backend in captured.err and backend in page


def test_cv_option_overrides_the_grid_files_folds(grid_file, capsys):
    status = main(
        [
            "report",
            "--data",
            "ice_cream",
            "--grid",
            grid_file(),
            "--cv",
            "2",
            "--n-jobs",
            "1",
        ]
    )
    assert status == 0
    assert "8/8 fits" in capsys.readouterr().err


def test_classification_from_a_csv_file(grid_file, tmp_path, capsys):
    from skdl.datasets import load_sonar

    csv = tmp_path / "sonar.csv"
    load_sonar(as_frame=True).frame.to_csv(csv, index=False)
    grid = grid_file(
        """
        estimator = "KerasClassifier"
        standardize = true
        [params]
        epochs = 2
        [grid]
        optimizer = ["adam", "rmsprop"]
        """
    )
    status = main(
        [
            "report",
            "--data",
            str(csv),
            "--target",
            "label",
            "--grid",
            grid,
            "--cv",
            "3",
            "--scoring",
            "accuracy",
        ]
    )
    assert status == 0
    out = capsys.readouterr().out
    assert "test accuracy" in out and out.count("| ") >= 3


SEVERAL_ESTIMATORS = """
scoring = "neg_mean_squared_error"
[cv]
splitter = "KFold"
n_splits = 3

[[estimators]]
name = "network"
estimator = "KerasRegressor"
standardize = true
params.batch_size = 64
params.random_state = 0
grid.optimizer = ["SGD", "Adam"]
grid.epochs = [2]

[[estimators]]
name = "tutorial builder"
estimator = "KerasRegressor"
standardize = true
params.model = "tests.builders.baseline_model"
params.random_state = 0
grid.epochs = [2]

[[estimators]]
estimator = "sklearn.ensemble.HistGradientBoostingRegressor"
grid.max_iter = [10, 20]

[[estimators]]
estimator = "sklearn.linear_model.Ridge"
standardize = true
grid.alpha = [1.0, 100.0]
"""


def test_several_estimators_in_one_report(grid_file, tmp_path, capsys):
    out = tmp_path / "report.html"
    status = main(
        [
            "report",
            "--data",
            "wine_quality",
            "--grid",
            grid_file(SEVERAL_ESTIMATORS),
            "--n-jobs",
            "2",
            "--out",
            str(out),
        ]
    )
    assert status == 0
    captured = capsys.readouterr()
    assert "7 candidates of 4 estimators x 3 folds" in captured.err
    assert "21/21 fits" in captured.err
    rows = [line for line in captured.out.splitlines() if line.startswith("| ")]
    header = [cell.strip() for cell in rows[0].strip("|").split("|")]
    assert header[:2] == ["rank", "estimator"]
    assert {"optimizer", "epochs", "max_iter", "alpha", "p vs best"} <= set(header)
    estimators = [row.split("|")[2].strip() for row in rows[1:]]
    assert sorted(estimators) == sorted(
        ["network"] * 2
        + ["tutorial builder"]
        + ["HistGradientBoostingRegressor"] * 2
        + ["Ridge"] * 2
        + [""]  # the baseline's row
    )
    assert sum(row.startswith("| baseline |") for row in rows) == 1
    assert "Best parameters:\n  estimator = " in captured.out
    page = out.read_text()
    assert "HistGradientBoostingRegressor" in page and "tutorial builder" in page


@pytest.mark.parametrize(
    "grid_text, message",
    [
        (
            "[[estimators]]\nestimator = 'sklearn.linear_model.Ridg'\n",
            "cannot import the estimator 'sklearn.linear_model.Ridg'",
        ),
        (
            "[[estimators]]\nestimator = 'sklearn.linear_model.Ridge'\n"
            "grid.alpah = [1.0]\n",
            "Ridge has no parameter 'alpah'; did you mean 'alpha'?",
        ),
        (
            "[[estimators]]\nestimator = 'KerasRegressor'\n"
            "params.model = 'no_such_module.builder'\n",
            "cannot import the model builder 'no_such_module.builder'",
        ),
        (
            "[[estimators]]\nestimator = 'sklearn.linear_model.Ridge'\n"
            "[[estimators]]\nestimator = 'sklearn.linear_model.Ridge'\n",
            "two estimators are called 'Ridge'",
        ),
        (
            "[[estimators]]\nestimator = 'sklearn.linear_model.Ridge'\n"
            "[[estimators]]\nestimator = 'sklearn.linear_model.LogisticRegression'\n",
            "mix classifiers and regressors",
        ),
        (
            "estimator = 'KerasRegressor'\n"
            "[[estimators]]\nestimator = 'sklearn.linear_model.Ridge'\n",
            "'estimator' belongs inside each [[estimators]] table",
        ),
        (
            "[[estimators]]\nestimator = 'sklearn.pipeline.make_pipeline'\n",
            "is not a scikit-learn estimator class",
        ),
    ],
)
def test_bad_estimators_are_one_line_errors(grid_file, capsys, grid_text, message):
    status = main(["report", "--data", "ice_cream", "--grid", grid_file(grid_text)])
    assert status == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith("skdl report: error: ")
    assert message in err


def test_bundled_grid_compares_network_boosting_and_ridge():
    from skdl.cli._grid_file import read_grid_file

    grid = read_grid_file("examples/red_wine_grid.toml")
    assert [entry.estimator for entry in grid.estimators] == [
        "KerasRegressor",
        "sklearn.ensemble.HistGradientBoostingRegressor",
        "sklearn.linear_model.Ridge",
    ]
    assert grid.several and grid.scoring == "neg_mean_squared_error"


def test_datasets_lists_the_bundled_data(capsys):
    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    for name in (
        "wine_quality",
        "sonar",
        "pima_diabetes",
        "bike_sharing_day",
        "ice_cream",
    ):
        assert name in out
    assert "1599 x 11" in out


BAD_TOML = "estimator = 'KerasRegressor'\n[grid\n"


@pytest.mark.parametrize(
    "arguments, grid_text, message",
    [
        (["--data", "no_such.csv"], SMALL_GRID, "no such file or bundled dataset"),
        (
            ["--data", "wine_quality", "--target", "qualty"],
            SMALL_GRID,
            "unknown column 'qualty'",
        ),
        (["--data", "wine_quality"], BAD_TOML, "bad TOML"),
        (
            ["--data", "wine_quality"],
            "estimator = 'KerasRegressor'\n[grid]\nnb_epoch = [1]\n",
            "Did you mean 'epochs'?",
        ),
        (
            ["--data", "wine_quality"],
            "estimator = 'MLPRegressor'\n[grid]\nepochs = [1]\n",
            "'estimator' must be one of",
        ),
        (
            ["--data", "wine_quality"],
            "estimator = 'KerasRegressor'\n[grid]\nepochs = 3\n",
            "must be a non-empty list",
        ),
        (
            ["--data", "wine_quality"],
            "estimator = 'KerasRegressor'\n[grid]\nepochs = [1]\n[cv]\nsplitter = 'LeaveOneOut'\n",
            "unknown splitter",
        ),
        (
            ["--data", "wine_quality", "--scoring", "accuracy_"],
            SMALL_GRID,
            "unknown scoring",
        ),
        (
            ["--data", "wine_quality"],
            "estimator = 'KerasRegressor'\n[grid]\noptimizer = ['nope']\nepochs = [1]\n",
            "Could not interpret optimizer",
        ),
    ],
)
def test_errors_are_one_line_and_exit_2(
    grid_file, capsys, arguments, grid_text, message
):
    status = main(
        ["report", *arguments, "--grid", grid_file(grid_text), "--n-jobs", "1"]
    )
    assert status == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    # Any progress lines first, then the error: one line.
    last_line = err.splitlines()[-1]
    assert last_line.startswith("skdl report: error: ")
    assert err.count("skdl report: error: ") == 1
    assert message in last_line


def test_missing_grid_file_and_unwritable_output(tmp_path, grid_file, capsys):
    assert (
        main(["report", "--data", "ice_cream", "--grid", str(tmp_path / "x.toml")]) == 2
    )
    assert "no such grid file" in capsys.readouterr().err
    out = tmp_path / "missing-folder" / "report.html"
    assert (
        main(
            ["report", "--data", "ice_cream", "--grid", grid_file(), "--out", str(out)]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "cannot write" in err and "fits" not in err  # refused before the search


def test_console_script_is_installed():
    # The entry point, not just the function: what `pip install` puts on PATH.
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from importlib.metadata import entry_points;"
            "print(entry_points(group='console_scripts')['skdl'].value)",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "skdl.cli:main"
    help_run = subprocess.run(
        [sys.executable, "-m", "skdl", "report", "--help"],
        capture_output=True,
        text=True,
    )
    assert help_run.returncode == 0 and "--grid" in help_run.stdout
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "skdl",
            "report",
            "--data",
            "nowhere",
            "--grid",
            "x.toml",
        ],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and "Traceback" not in bad.stderr, bad.stderr


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_line_estimates_time_left():
    progress = ProgressLine(80, io.StringIO(), width=10)
    line = progress.text(20, now=progress.started + 10)
    assert line == "[##        ] 20/80 fits  0:10 elapsed  ~0:30 left"
    assert "left" not in progress.text(80, now=progress.started + 40)


def test_progress_line_redraws_on_a_terminal_and_logs_elsewhere():
    terminal = _Terminal()
    progress = ProgressLine(4, terminal)
    for done in (0, 1, 1, 2):
        progress.update(done)
    progress.update(4, final=True)
    drawn = terminal.getvalue()
    assert drawn.count("\r") == 4 and drawn.endswith("4/4 fits  0:00 elapsed\n")

    log = io.StringIO()
    progress = ProgressLine(4, log, log_every=3600)
    for done in (0, 1, 2, 3):
        progress.update(done)
    progress.update(4, final=True)
    assert log.getvalue().splitlines()[0].endswith("0/4 fits  0:00 elapsed")
    assert len(log.getvalue().splitlines()) == 2  # the first line and the last


def test_missing_values_in_a_csv_are_one_line(grid_file, tmp_path, capsys):
    csv = tmp_path / "holes.csv"
    csv.write_text("a,b,y\n1,2,3\n4,,6\n7,8,9\n1,1,1\n2,2,2\n3,3,3\n")
    status = main(
        [
            "report",
            "--data",
            str(csv),
            "--target",
            "y",
            "--grid",
            grid_file(),
            "--cv",
            "2",
            "--n-jobs",
            "1",
        ]
    )
    assert status == 2
    last_line = capsys.readouterr().err.splitlines()[-1]
    assert last_line.startswith("skdl report: error: ") and "NaN" in last_line
