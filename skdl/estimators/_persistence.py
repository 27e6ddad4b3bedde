"""Saving fitted estimators without pickle, and loading them back safely.

A saved estimator is one zip file holding two members:

- ``model.keras``: the trained network, in Keras's own archive format;
- ``estimator.json``: the estimator's class, its parameters and its fitted
  attributes (classes, feature names, history...) as plain JSON.

Loading reads the JSON as data and the network with Keras's ``safe_mode``
on, so a file cannot make Python run code: a network holding a ``Lambda``
layer (pickled Python bytecode) is refused unless the caller says the file
is trusted. Pickle files, by contrast, run whatever code they contain.
"""

import json
import os
import warnings
import zipfile
from numbers import Number
from pathlib import Path

import keras
import numpy as np

import skdl
from skdl.estimators._guard import fitted_attributes
from skdl.estimators._pickling import network_bytes, network_from_bytes
from skdl.estimators._targets import ClassificationTarget, RegressionTarget

FORMAT = "skdl-estimator"
FORMAT_VERSION = 1
_JSON_MEMBER = "estimator.json"
_MODEL_MEMBER = "model.keras"
_TARGETS = {cls.__name__: cls for cls in (ClassificationTarget, RegressionTarget)}


def _estimator_classes() -> dict:
    from skdl.estimators import KerasClassifier, KerasRegressor

    return {cls.__name__: cls for cls in (KerasClassifier, KerasRegressor)}


class _NotPlainData(TypeError):
    pass


def _encode(value):
    """Plain JSON for the values estimators hold; _NotPlainData otherwise."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Number):
        return value
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biufUO":
            raise _NotPlainData(value.dtype)
        return {
            "__ndarray__": [_encode(v) for v in value.tolist()],
            "dtype": value.dtype.str,
        }
    if isinstance(value, np.dtype):
        return {"__dtype__": value.str}
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {"__items__": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if type(value).__name__ in _TARGETS and type(value) in _TARGETS.values():
        return {"__target__": type(value).__name__, "state": _encode(vars(value))}
    raise _NotPlainData(type(value).__name__)


def _decode(value):
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "__ndarray__" in value:
        dtype = np.dtype(value["dtype"])
        return np.array(_decode(value["__ndarray__"]), dtype=dtype)
    if "__dtype__" in value:
        return np.dtype(value["__dtype__"])
    if "__tuple__" in value:
        return tuple(_decode(v) for v in value["__tuple__"])
    if "__items__" in value:
        return {_decode(k): _decode(v) for k, v in value["__items__"]}
    if "__target__" in value:
        target_class = _TARGETS.get(value["__target__"])
        if target_class is None:
            raise ValueError(f"Unknown target encoder {value['__target__']!r}.")
        target = target_class.__new__(target_class)
        vars(target).update(_decode(value["state"]))
        return target
    raise ValueError(f"Unexpected object in the estimator file: {sorted(value)}")


def save_estimator(estimator, path) -> None:
    """Write a fitted estimator to ``path``; see :meth:`BaseKerasEstimator.save`."""
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(estimator)
    params, not_saved = {}, []
    for name, value in estimator.get_params(deep=False).items():
        try:
            params[name] = _encode(value)
        except _NotPlainData:
            not_saved.append(name)
    fitted = {}
    for name, value in fitted_attributes(estimator).items():
        if name != "model_":
            try:
                fitted[name] = _encode(value)
            except _NotPlainData as error:
                raise TypeError(
                    f"Cannot save the fitted attribute {name} ({error}) as JSON."
                ) from None
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "skdl_version": skdl.__version__,
        "keras_version": keras.__version__,
        "class": type(estimator).__name__,
        "params": params,
        "params_not_saved": not_saved,
        "fitted": fitted,
    }
    model_bytes = network_bytes(estimator.model_)
    partial = Path(f"{os.fspath(path)}.partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_JSON_MEMBER, json.dumps(document, indent=1))
        archive.writestr(_MODEL_MEMBER, model_bytes)
    os.replace(partial, path)


def load(path, *, safe_mode: bool = True, custom_objects=None):
    """Load an estimator saved with ``estimator.save(path)``.

    Safe for files from others: the estimator's data is read as JSON and the
    network with Keras's ``safe_mode``, so nothing in the file is run as code
    unless ``safe_mode=False``. (``pickle.load`` and ``joblib.load`` run any
    code a file holds: use them only on files you made.)

    Parameters
    ----------
    path : str or path-like
        A file written by :meth:`KerasClassifier.save` or
        :meth:`KerasRegressor.save`.
    safe_mode : bool, default=True
        Refuse networks that hold Python code, such as ``Lambda`` layers.
        Turn off only for files you trust.
    custom_objects : dict, default=None
        Custom layers, losses or metrics the network uses, by name, as for
        ``keras.saving.load_model``.

    Returns
    -------
    estimator : KerasClassifier or KerasRegressor
        The fitted estimator; its predictions equal the saved one's.

    Raises
    ------
    ValueError
        If the file is not an skdl model file, was written by a newer skdl,
        or holds code while ``safe_mode`` is on.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> import skdl
    >>> X, y = np.arange(8.0).reshape(-1, 1), np.arange(8.0) % 2
    >>> classifier = skdl.KerasClassifier(epochs=2, random_state=0).fit(X, y)
    >>> path = os.path.join(tempfile.mkdtemp(), "classifier.skdl")
    >>> classifier.save(path)
    >>> loaded = skdl.load(path)
    >>> bool((loaded.predict_proba(X) == classifier.predict_proba(X)).all())
    True
    """
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ValueError(
            f"{path} is not an skdl model file (expected a zip archive written "
            "by estimator.save)."
        ) from None
    with archive:
        names = set(archive.namelist())
        if not {_JSON_MEMBER, _MODEL_MEMBER} <= names:
            raise ValueError(
                f"{path} is not an skdl model file: it lacks {_JSON_MEMBER} or "
                f"{_MODEL_MEMBER}."
            )
        try:
            document = json.loads(archive.read(_JSON_MEMBER))
        except json.JSONDecodeError as error:
            raise ValueError(
                f"{path}: {_JSON_MEMBER} is not valid JSON: {error}"
            ) from None
        model_bytes = archive.read(_MODEL_MEMBER)
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(f"{path} is not an skdl model file (no '{FORMAT}' marker).")
    if document.get("format_version", 0) > FORMAT_VERSION:
        raise ValueError(
            f"{path} was written by a newer skdl (format version "
            f"{document['format_version']}); upgrade skdl to load it."
        )
    estimator_class = _estimator_classes().get(document.get("class"))
    if estimator_class is None:
        raise ValueError(f"{path}: unknown estimator class {document.get('class')!r}.")

    fitted = {name: _decode(value) for name, value in document["fitted"].items()}
    dtype = np.dtype(fitted.get("X_dtype_", "float32")).name
    # Compiled losses and metrics take the float type in force when they are
    # made: the one the network was trained in, as when it was built.
    try:
        model = network_from_bytes(
            model_bytes,
            dtype=dtype,
            custom_objects=custom_objects,
            safe_mode=safe_mode,
        )
    except ValueError as error:
        if safe_mode and "safe_mode" in str(error):
            raise ValueError(
                f"Refusing to load {path}: its network contains Python code "
                "(e.g. a Lambda layer), which loading would run. Load it with "
                "skdl.load(path, safe_mode=False) only if you trust the file."
            ) from None
        raise

    params = {name: _decode(value) for name, value in document["params"].items()}
    not_saved = list(document.get("params_not_saved", []))
    estimator = estimator_class(**params)
    if "model" in not_saved:
        # The builder is code and was not saved: the trained network stands in
        # for it, so refitting trains a copy of this network.
        estimator.set_params(model=model)
        not_saved.remove("model")
    if not_saved:
        warnings.warn(
            f"The parameters {not_saved} were not saved (they are not plain data) "
            "and have their default values in the loaded estimator.",
            UserWarning,
            stacklevel=3,
        )
    vars(estimator).update(fitted)
    estimator.model_ = model
    return estimator
