"""Routed optimizer, loss, metrics and callbacks parameters: scikeras's rules.

skdl implements the routing itself; where the point is "as in scikeras",
the result is compared with scikeras's own wrapper, imported here in a way
that undoes the patches scikeras's import applies to Keras.
"""

import re

import keras
import pytest

from skdl.estimators._routing import callbacks, compile_arguments, route
from tests.conftest import keras_as_it_was

SCIKERAS_PATCHES = [
    (keras.Model, "__reduce__"),
    (keras.Model, "__deepcopy__"),
    (keras.losses.Loss, "__reduce__"),
    (keras.metrics.Metric, "__reduce__"),
    (keras.optimizers.Optimizer, "__reduce__"),
]


@pytest.fixture(scope="module")
def scikeras_wrappers():
    """``scikeras.wrappers``, with Keras's classes left as they were."""
    with keras_as_it_was():
        return pytest.importorskip("scikeras.wrappers")


def described(value):
    """Keras objects as (class, settings), for comparing fresh objects."""
    if isinstance(value, list | tuple):
        return type(value)(described(item) for item in value)
    if isinstance(value, dict):
        return {key: described(item) for key, item in value.items()}
    if isinstance(value, keras.callbacks.Callback):
        settings = {
            name: setting
            for name, setting in vars(value).items()
            if isinstance(setting, int | float | str | bool | type(None))
        }
        return type(value), settings
    if hasattr(value, "get_config"):
        settings = dict(value.get_config())
        # Keras numbers the names of repeated metric objects (auc, auc_1...).
        if isinstance(settings.get("name"), str):
            settings["name"] = re.sub(r"_\d+$", "", settings["name"])
        return type(value), settings
    return value


def scikeras_compile_arguments(wrappers, params):
    wrapper = wrappers.KerasRegressor(**params)
    return wrapper.get_params(), wrapper._get_compile_kwargs()


def scikeras_fit_callbacks(wrappers, params):
    wrapper = wrappers.KerasRegressor(**params)
    wrapper._initialize_callbacks()
    flat = []
    for callback in wrapper._fit_callbacks:
        flat.extend(callback if isinstance(callback, list) else [callback])
    return wrapper.get_params(), flat


COMPILE_CASES = {
    "named optimizer with routed parameters": dict(
        optimizer="sgd", optimizer__momentum=0.5, optimizer__learning_rate=0.05
    ),
    "optimizer class": dict(
        optimizer=keras.optimizers.Adam, optimizer__learning_rate=0.01
    ),
    "optimizer class with a positional argument": dict(
        optimizer=keras.optimizers.SGD, optimizer__0=0.2, optimizer__momentum=0.1
    ),
    "optimizer instance": dict(optimizer=keras.optimizers.SGD(0.3)),
    "loss and metric names": dict(loss="mse", metrics=["mae", "accuracy"]),
    "one metric name": dict(metrics="mse"),
    "loss class": dict(loss=keras.losses.Huber, loss__delta=2.0),
    "loss instance": dict(loss=keras.losses.MeanAbsoluteError()),
    "loss list, shared and per-element parameters": dict(
        loss=[keras.losses.Huber, keras.losses.LogCosh],
        loss__reduction="sum",
        loss__0__delta=3.0,
        loss__1__reduction="mean",
    ),
    "loss dict": dict(
        loss={"first": "mse", "second": keras.losses.Huber},
        loss__second__delta=0.5,
    ),
    "metric classes": dict(
        metrics=[keras.metrics.AUC, keras.metrics.Precision, "mae"],
        metrics__0__num_thresholds=50,
        metrics__1__thresholds=0.3,
    ),
    "metric dict per output": dict(
        metrics={"first": ["mae", keras.metrics.R2Score], "second": "accuracy"},
        metrics__first__1__class_aggregation=None,
    ),
    "compile routing": dict(
        loss="mse",
        loss_weights=[1.0],
        compile__loss="mae",
        compile__jit_compile=False,
        run_eagerly=True,
    ),
}


@pytest.mark.parametrize("case", list(COMPILE_CASES))
def test_compile_arguments_as_in_scikeras(case, scikeras_wrappers):
    params, expected = scikeras_compile_arguments(
        scikeras_wrappers, COMPILE_CASES[case]
    )
    assert described(compile_arguments(params)) == described(expected)


CALLBACK_CASES = {
    "class with routed parameters": dict(
        callbacks=[keras.callbacks.EarlyStopping],
        callbacks__patience=3,
        callbacks__monitor="loss",
    ),
    "one class": dict(callbacks=keras.callbacks.EarlyStopping, callbacks__patience=2),
    "one instance": dict(callbacks=keras.callbacks.TerminateOnNaN()),
    "dict with per-key parameters": dict(
        callbacks={
            "stop": keras.callbacks.EarlyStopping,
            "nan": keras.callbacks.TerminateOnNaN(),
        },
        callbacks__stop__patience=4,
    ),
    "nested list": dict(
        callbacks=[[keras.callbacks.EarlyStopping, keras.callbacks.TerminateOnNaN()]],
        callbacks__0__0__min_delta=0.5,
    ),
    "callbacks and fit__callbacks": dict(
        callbacks=[keras.callbacks.TerminateOnNaN],
        fit__callbacks=[keras.callbacks.EarlyStopping],
        fit__callbacks__patience=5,
    ),
}


@pytest.mark.parametrize("case", list(CALLBACK_CASES))
def test_callbacks_as_in_scikeras(case, scikeras_wrappers):
    params, expected = scikeras_fit_callbacks(scikeras_wrappers, CALLBACK_CASES[case])
    assert described(callbacks(params)) == described(expected)


@pytest.mark.parametrize(
    "params",
    [
        dict(optimizer=keras.optimizers.SGD(), optimizer__momentum=0.9),
        dict(metrics=["mae"], metrics__name="error"),
        dict(loss="mse", loss__reduction="sum"),
    ],
    ids=["optimizer instance", "metric name", "loss name"],
)
def test_parameters_for_objects_that_are_not_classes_fail_as_in_scikeras(
    params, scikeras_wrappers
):
    with pytest.raises(TypeError):
        scikeras_compile_arguments(scikeras_wrappers, params)
    with pytest.raises(TypeError, match="not a class"):
        compile_arguments({"optimizer": "adam", **params})


def test_the_error_names_where_the_parameters_went():
    message = re.escape(
        "metrics__0 is a MeanAbsoluteError object, not a class, so it cannot take "
        "the parameters ['name']"
    )
    with pytest.raises(TypeError, match=message):
        compile_arguments(
            {"optimizer": "adam", "metrics": ["mae"], "metrics__0__name": "error"}
        )


def test_unknown_names_are_keras_errors():
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier"):
        compile_arguments({"optimizer": "adamm"})
    with pytest.raises(ValueError, match="Could not interpret metric identifier"):
        compile_arguments({"optimizer": "adam", "metrics": ["nope"]})


def test_a_class_refusing_its_parameters_says_which_one():
    with pytest.raises(TypeError) as raised:
        compile_arguments(
            {"optimizer": "adam", "loss": keras.losses.Huber, "loss__nope": 1}
        )
    assert "Raised building loss: Huber with the parameters ['nope']." in (
        raised.value.__notes__
    )


def test_a_parameter_may_itself_be_a_class_with_parameters():
    # A learning-rate schedule for the optimizer. (scikeras routes only one
    # level below ``optimizer__``, so there the schedule gets no arguments.)
    kwargs = compile_arguments(
        {
            "optimizer": "sgd",
            "optimizer__learning_rate": keras.optimizers.schedules.ExponentialDecay,
            "optimizer__learning_rate__initial_learning_rate": 0.1,
            "optimizer__learning_rate__decay_steps": 10,
            "optimizer__learning_rate__decay_rate": 0.5,
        }
    )
    schedule = kwargs["optimizer"]._learning_rate
    assert isinstance(schedule, keras.optimizers.schedules.ExponentialDecay)
    assert (schedule.initial_learning_rate, schedule.decay_steps) == (0.1, 10)


def test_routing_keeps_only_the_destination():
    params = {"loss": "mse", "epochs": 3, "loss__delta": 2.0, "lossy__x": 1}
    assert route(params, "loss") == {"delta": 2.0}
    assert route(params, "loss", {"loss"}) == {"loss": "mse", "delta": 2.0}
    assert route({"1__a": 1, "10__b": 2}, "1") == {"a": 1}


def test_tuples_keep_their_type_and_callbacks_must_be_callbacks():
    kwargs = compile_arguments(
        {"optimizer": "adam", "loss": (keras.losses.Huber, keras.losses.LogCosh)}
    )
    assert isinstance(kwargs["loss"], tuple) and len(kwargs["loss"]) == 2
    assert isinstance(kwargs["loss"][0], keras.losses.Huber)
    with pytest.raises(TypeError, match="must hold Keras callbacks"):
        callbacks({"callbacks": ["early_stopping"]})


def test_importing_scikeras_here_leaves_keras_unpatched(scikeras_wrappers):
    for cls, name in SCIKERAS_PATCHES:
        method = getattr(cls, name, None)
        assert not getattr(method, "__module__", "").startswith("scikeras"), name
