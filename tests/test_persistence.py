"""Fitted estimators come back exactly: pickle, joblib, and the pickle-free format."""

import copy
import json
import pickle
import subprocess
import sys
import textwrap
import warnings
import zipfile

import joblib
import keras
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

import skdl
from skdl import KerasClassifier, KerasRegressor

RNG = np.random.default_rng(0)
X = RNG.normal(size=(30, 4))
FRAME = pd.DataFrame(X, columns=["length", "width", "depth", "mass"])
Y = X @ np.array([1.0, -2.0, 0.5, 0.0])
LABELS = np.where(Y > 0, "mine", "rock")


def tutorial_network(meta):
    model = keras.Sequential(
        [
            keras.Input((meta["n_features_in_"],)),
            keras.layers.Dense(5, activation="relu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model


def with_lambda_layer():
    return keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Lambda(lambda x: x * 2.0),
            keras.layers.Dense(1),
        ]
    )


FITTED = {
    "regressor": lambda: KerasRegressor(epochs=3, random_state=0).fit(X, Y),
    "classifier, text labels, feature names": lambda: KerasClassifier(
        epochs=3, random_state=0, class_weight={"mine": 2.0, "rock": 1.0}
    ).fit(FRAME, LABELS),
    "classifier from a builder": lambda: KerasClassifier(
        model=tutorial_network, epochs=3, random_state=0
    ).fit(X, LABELS),
    "multi-output regressor": lambda: KerasRegressor(
        hidden_layer_sizes=(6, 3), epochs=3, random_state=0
    ).fit(X, np.c_[Y, -Y]),
}


def _outputs(estimator, X_new):
    if hasattr(estimator, "predict_proba"):
        return estimator.predict_proba(X_new)
    return estimator.predict(X_new)


@pytest.mark.parametrize("case", list(FITTED))
def test_save_and_load_round_trip_exactly(case, tmp_path):
    estimator = FITTED[case]()
    X_new = FRAME if hasattr(estimator, "feature_names_in_") else X
    path = tmp_path / "model.skdl"
    estimator.save(path)
    loaded = skdl.load(path)
    assert type(loaded) is type(estimator)
    np.testing.assert_array_equal(_outputs(loaded, X_new), _outputs(estimator, X_new))
    np.testing.assert_array_equal(loaded.predict(X_new), estimator.predict(X_new))
    assert loaded.history_ == estimator.history_
    assert loaded.n_features_in_ == estimator.n_features_in_
    for name in ("classes_", "feature_names_in_"):
        if hasattr(estimator, name):
            np.testing.assert_array_equal(
                getattr(loaded, name), getattr(estimator, name)
            )
    params = estimator.get_params()
    loaded_params = loaded.get_params()
    for name, value in params.items():
        if name != "model":
            assert loaded_params[name] == value, name
    # A loaded estimator trains on: one more epoch, same classes and features.
    y_new = LABELS if hasattr(estimator, "classes_") else estimator.predict(X_new)
    loaded.partial_fit(X_new, y_new)
    assert len(loaded.history_["loss"]) == len(estimator.history_["loss"]) + 1


def test_builder_is_replaced_by_the_trained_network(tmp_path):
    estimator = FITTED["classifier from a builder"]()
    estimator.save(tmp_path / "m.skdl")
    loaded = skdl.load(tmp_path / "m.skdl")
    assert isinstance(loaded.model, keras.Model)
    loaded.fit(X, LABELS)  # refits a copy of the saved network
    assert loaded.score(X, LABELS) > 0


def test_file_holds_only_json_and_a_keras_archive(tmp_path):
    FITTED["regressor"]().save(tmp_path / "m.skdl")
    with zipfile.ZipFile(tmp_path / "m.skdl") as archive:
        assert sorted(archive.namelist()) == ["estimator.json", "model.keras"]
        document = json.loads(archive.read("estimator.json"))
    assert (
        document["format"] == "skdl-estimator" and document["class"] == "KerasRegressor"
    )
    assert b"pickle" not in json.dumps(document).encode()


def test_code_in_the_network_is_refused_unless_trusted(tmp_path):
    estimator = KerasRegressor(model=with_lambda_layer, epochs=2, random_state=0).fit(
        X, Y
    )
    path = tmp_path / "lambda.skdl"
    estimator.save(path)
    with pytest.raises(ValueError, match="Refusing to load .*safe_mode=False"):
        skdl.load(path)
    trusted = skdl.load(path, safe_mode=False)
    np.testing.assert_array_equal(trusted.predict(X), estimator.predict(X))


@pytest.mark.parametrize(
    "content, message",
    [
        (b"not a zip file", "not an skdl model file"),
        ("zip-without-members", "lacks estimator.json"),
        ("wrong-marker", "no 'skdl-estimator' marker"),
        ("newer-version", "newer skdl"),
    ],
)
def test_other_files_are_refused(tmp_path, content, message):
    path = tmp_path / "other.skdl"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        with zipfile.ZipFile(path, "w") as archive:
            if content != "zip-without-members":
                document = {"format": "skdl-estimator", "format_version": 99}
                if content == "wrong-marker":
                    document = {"format": "something else"}
                archive.writestr("estimator.json", json.dumps(document))
                archive.writestr("model.keras", b"")
    with pytest.raises(ValueError, match=message):
        skdl.load(path)


def test_unsaved_parameters_are_reported(tmp_path):
    estimator = KerasRegressor(
        epochs=2, random_state=0, callbacks=[keras.callbacks.TerminateOnNaN()]
    ).fit(X, Y)
    estimator.save(tmp_path / "m.skdl")
    with pytest.warns(UserWarning, match=r"\['callbacks'\] were not saved"):
        loaded = skdl.load(tmp_path / "m.skdl")
    assert loaded.callbacks is None


def test_saving_an_unfitted_estimator_fails(tmp_path):
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        KerasRegressor().save(tmp_path / "m.skdl")


@pytest.mark.parametrize("dump", ["pickle", "joblib"])
def test_pickle_round_trip_in_a_fresh_process(dump, tmp_path):
    estimator = FITTED["classifier, text labels, feature names"]()
    path = tmp_path / "model.bin"
    if dump == "pickle":
        path.write_bytes(pickle.dumps(estimator))
    else:
        joblib.dump(estimator, path)
    FRAME.to_csv(tmp_path / "X.csv", index=False)
    script = textwrap.dedent(
        f"""
        import json, pickle, joblib, pandas as pd
        path = {str(path)!r}
        estimator = pickle.loads(open(path, "rb").read()) if {dump!r} == "pickle" else joblib.load(path)
        X = pd.read_csv({str(tmp_path / "X.csv")!r})
        print(json.dumps(estimator.predict_proba(X).tolist()))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    fresh = np.array(json.loads(result.stdout.splitlines()[-1]))
    # JSON carries every float64 exactly (repr round trip).
    np.testing.assert_array_equal(fresh, estimator.predict_proba(FRAME))


def test_pickling_leaves_keras_unpatched_and_needs_no_scikeras():
    # A fresh interpreter: nothing this session imported can patch Keras.
    script = textwrap.dedent(
        """
        import copy, pickle, sys
        import keras
        import numpy as np

        patchable = [
            (keras.Model, "__reduce__"),
            (keras.Model, "__deepcopy__"),
            (keras.losses.Loss, "__reduce__"),
            (keras.metrics.Metric, "__reduce__"),
            (keras.optimizers.Optimizer, "__reduce__"),
        ]
        before = [getattr(cls, name, None) for cls, name in patchable]

        import skdl

        X = np.random.default_rng(0).normal(size=(30, 3))
        y = X @ np.array([1.0, -1.0, 0.5])
        fitted = skdl.KerasRegressor(epochs=2, random_state=0).fit(X, y)
        unpickled = pickle.loads(pickle.dumps(fitted))
        copied = copy.deepcopy(fitted)
        after = [getattr(cls, name, None) for cls, name in patchable]
        assert all(a is b for a, b in zip(after, before)), after
        assert "scikeras" not in sys.modules
        assert (unpickled.predict(X) == fitted.predict(X)).all()
        assert (copied.predict(X) == fitted.predict(X)).all()
        print("OK")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.splitlines()[-1] == "OK"


class TwoLayerNetwork(keras.Model):
    """A subclassed model whose class Keras knows only by reference."""

    def __init__(self, units=4, **kwargs):
        super().__init__(**kwargs)
        self.units = int(units)
        self.hidden = keras.layers.Dense(self.units, activation="relu")
        self.out = keras.layers.Dense(1)

    def call(self, inputs):
        return self.out(self.hidden(inputs))

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def two_layer_network(units=4):
    return TwoLayerNetwork(units)


def test_subclassed_networks_pickle_copy_and_clone():
    fitted = KerasRegressor(model=two_layer_network, epochs=2, random_state=0)
    fitted.fit(X, Y)
    for other in (pickle.loads(pickle.dumps(fitted)), copy.deepcopy(fitted)):
        assert isinstance(other.model_, TwoLayerNetwork)
        np.testing.assert_array_equal(other.predict(X), fitted.predict(X))

    given = KerasRegressor(model=TwoLayerNetwork(3), loss="mse", epochs=1)
    for other in (clone(given), pickle.loads(pickle.dumps(given))):
        assert isinstance(other.model, TwoLayerNetwork)
        assert other.model is not given.model and other.model.units == 3
    assert isinstance(given.fit(X, Y).model_, TwoLayerNetwork)
    # A shallow copy shares the networks, as for any attribute.
    assert copy.copy(fitted).model_ is fitted.model_


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_training_continues_after_pickling(dtype):
    fitted = KerasRegressor(epochs=2, random_state=0).fit(X.astype(dtype), Y)
    for other in (pickle.loads(pickle.dumps(fitted)), copy.deepcopy(fitted)):
        # The network's losses and metrics come back in its own float type.
        other.partial_fit(X.astype(dtype), Y)
        assert other.n_iter_ == 1 and other.current_epoch == 3
        assert other.predict(X).dtype == dtype


def test_a_given_network_not_yet_built_clones_quietly():
    given = keras.Sequential([keras.layers.Dense(1)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        copied = clone(KerasRegressor(model=given, loss="mse")).model
    assert isinstance(copied, keras.Sequential) and copied is not given
    assert not copied.built
