"""What KerasClassifier and KerasRegressor share: fit, predict, build, persist.

Parameters follow scikeras: extra keyword arguments are parameters too
(builder arguments and routed ``prefix__name`` values), and compile
arguments and callbacks are built with scikeras's routing (see
``_routing``). Everything scikeras gets wrong on current scikit-learn and
Keras is skdl's own: input validation, tags, seeding, float precision,
sample weights, the training loop and the prediction path.
"""

import contextlib
import copy
import inspect
import warnings

import keras
import numpy as np
from sklearn.base import BaseEstimator, _fit_context
from sklearn.model_selection import train_test_split
from sklearn.utils import compute_sample_weight
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    column_or_1d,
    validate_data,
)

from skdl._training.loop import Dataset, ensure_built, train
from skdl._training.precision import float_precision
from skdl._training.predict import forward
from skdl._training.seeding import integer_seed, seeded
from skdl.estimators import _routing
from skdl.estimators._categorical import (
    categorical_mask,
    encode_categories,
    learn_categories,
)
from skdl.estimators._guard import StopOnNonFiniteLoss, unchanged_on_failure
from skdl.estimators._params import (
    COMPILE_PARAMETERS,
    FIT_KEYWORDS,
    NETWORK_PARAMETERS,
    PARAMETER_CONSTRAINTS,
    ROUTING_PREFIXES,
    builder_arguments,
    builder_parameter_names,
    check_all_used,
    routed,
)
from skdl.estimators._targets import uses_one_hot_targets
from skdl.exceptions import TrainingDivergedError, UnusedParameterWarning
from skdl.networks import TabularEncoding, build_dense_network

_FIT_OPTIONS = {"batch_size", "epochs", "verbose", "shuffle", "class_weight"}
_FIT_OPTIONS |= FIT_KEYWORDS
_FLOAT_DTYPES = (np.float64, np.float32)


class BaseKerasEstimator(BaseEstimator):
    """Base class for skdl's Keras estimators. Not meant to be used directly."""

    _parameter_constraints: dict = PARAMETER_CONSTRAINTS

    def __init__(
        self,
        model=None,
        *,
        hidden_layer_sizes=(100,),
        activation="relu",
        dropout=0.0,
        alpha=0.0001,
        categorical_features="from_dtype",
        optimizer="adam",
        learning_rate=None,
        loss=None,
        metrics=None,
        batch_size=None,
        epochs=200,
        shuffle=True,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        callbacks=None,
        warm_start=False,
        random_state=None,
        verbose=0,
        **kwargs,
    ):
        self.model = model
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.alpha = alpha
        self.categorical_features = categorical_features
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.loss = loss
        self.metrics = metrics
        self.batch_size = batch_size
        self.epochs = epochs
        self.shuffle = shuffle
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.callbacks = callbacks
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose
        # Builder arguments and routed parameters are parameters too, so that
        # get_params, set_params, clone and grid searches see them.
        vars(self).update(kwargs)

    @classmethod
    def _init_defaults(cls) -> dict:
        """Default of every named ``__init__`` parameter."""
        parameters = inspect.signature(cls.__init__).parameters.values()
        return {
            parameter.name: parameter.default
            for parameter in parameters
            if parameter.name != "self" and parameter.kind != parameter.VAR_KEYWORD
        }

    def _get_param_names(self):
        # Extra keyword arguments are parameters too, so not only __init__'s.
        return sorted(
            name
            for name in vars(self)
            if not name.startswith("_") and not name.endswith("_")
        )

    def set_params(self, **params):
        """Set parameters, routed ones (``optimizer__momentum``...) included.

        Parameters
        ----------
        **params : dict
            Estimator parameters.

        Returns
        -------
        self : object
            The estimator.
        """
        plain = {}
        for name, value in params.items():
            if "__" in name and name.split("__", 1)[0] in ROUTING_PREFIXES:
                setattr(self, name, value)
            else:
                plain[name] = value
        return super().set_params(**plain)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.input_tags.allow_nan = False
        tags.target_tags.required = True
        tags.target_tags.multi_output = True
        return tags

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "model_")

    # ------------------------------------------------------------------ fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, **kwargs):
        """Build a new network (unless ``warm_start``) and train it on ``(X, y)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample in the loss; a weight of 2 counts as the
            sample seen twice. Uniform when None.
        **kwargs : dict
            Training options for this call only (``epochs``, ``batch_size``,
            ``verbose``, ``shuffle``, ``validation_split``...), as in scikeras.
            Prefer setting them as parameters (``fit__epochs=10``).

        Returns
        -------
        self : object
            The fitted estimator.
        """
        reinitialize = not (self.warm_start and self.__sklearn_is_fitted__())
        return self._fit(
            X,
            y,
            sample_weight,
            reinitialize=reinitialize,
            append_history=False,
            overrides=kwargs,
        )

    def partial_fit(self, X, y, sample_weight=None, **kwargs):
        """Train for one epoch, starting from the current weights.

        The first call builds the network as ``fit`` does.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample in the loss.
        **kwargs : dict
            Training options for this call (not ``epochs``).

        Returns
        -------
        self : object
            The updated estimator.
        """
        return self._partial_fit(X, y, sample_weight, kwargs)

    def _partial_fit(self, X, y, sample_weight, kwargs, classes=None):
        if "epochs" in kwargs:
            raise TypeError("partial_fit always trains for one epoch; drop `epochs`.")
        self._validate_params()
        return self._fit(
            X,
            y,
            sample_weight,
            reinitialize=not self.__sklearn_is_fitted__(),
            append_history=True,
            overrides={**kwargs, "epochs": 1},
            classes=classes,
        )

    def initialize(self, X, y):
        """Build the network for data like ``(X, y)`` without training it.

        Useful with a pre-trained ``model``; ``fit`` calls this itself.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data with the shape and dtype the network will see.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets with the classes or outputs the network will predict.

        Returns
        -------
        self : object
            The estimator, ready to predict.
        """
        self._validate_params()
        X, y = self._validate_training_data(X, y, reset=True)
        self._initialize(X, y)
        return self

    def _fit(
        self,
        X,
        y,
        sample_weight,
        *,
        reinitialize,
        append_history,
        overrides,
        classes=None,
    ):
        options = self._fit_options(overrides)
        with unchanged_on_failure(self, trains_existing_model=not reinitialize):
            return self._validated_fit(
                X,
                y,
                sample_weight,
                options,
                reinitialize=reinitialize,
                append_history=append_history,
                overrides=overrides,
                classes=classes,
            )

    def _validated_fit(
        self,
        X,
        y,
        sample_weight,
        options,
        *,
        reinitialize,
        append_history,
        overrides,
        classes,
    ):
        X, y = self._validate_training_data(X, y, reset=reinitialize)
        weights = self._sample_weights(sample_weight, X, y, options["class_weight"])
        if reinitialize:
            self._initialize(X, y, classes=classes, sample_weight=weights)
        one_hot = uses_one_hot_targets(getattr(self.model_, "loss", None))
        targets = self.target_encoder_.encode(y, self.X_dtype_, one_hot=one_hot)
        data = Dataset(X, targets, weights)
        if not append_history:
            self.history_ = {}
        epochs_done = len(self.history_.get("loss", []))
        seed = self._seed_
        rng = np.random.default_rng([seed, epochs_done])
        data, validation = self._split_validation(data, y, options, rng)
        monitor = StopOnNonFiniteLoss(_one_line_repr(self))
        callbacks = [monitor, *self._callbacks(overrides)]
        if self.early_stopping and validation is not None:
            callbacks.append(
                keras.callbacks.EarlyStopping(
                    monitor="val_loss",
                    min_delta=self.tol,
                    patience=self.n_iter_no_change,
                    restore_best_weights=True,
                )
            )
        try:
            history = train(
                self.model_,
                data,
                epochs=options["epochs"],
                batch_size=options["batch_size"] or min(200, len(data)),
                shuffle=options["shuffle"],
                rng=rng,
                callbacks=callbacks,
                validation=validation,
                validation_batch_size=options.get("validation_batch_size"),
                initial_epoch=epochs_done,
                verbose=options["verbose"],
            )
        except TrainingDivergedError:
            raise
        except Exception as error:
            when = "before the first epoch"
            if monitor.epoch is not None:
                when = f"in epoch {monitor.epoch + 1}"
            error.add_note(
                f"Raised while training {_one_line_repr(self)} {when} (by a "
                "callback or the model's train_step); the estimator is left as it "
                "was before fit."
            )
            raise
        for name, values in history.items():
            self.history_.setdefault(name, []).extend(values)
        self.n_iter_ = len(history.get("loss", []))
        return self

    def _callbacks(self, overrides: dict) -> list:
        """``callbacks`` plus ``fit__callbacks``, or this call's ``callbacks``."""
        params = self.get_params(deep=False)
        if "callbacks" in overrides:
            params["fit__callbacks"] = overrides["callbacks"]
        return _routing.callbacks(params)

    def _fit_options(self, overrides: dict) -> dict:
        params = self.get_params(deep=False)
        options = {
            "batch_size": self.batch_size,
            "epochs": self.epochs,
            "verbose": self.verbose,
            "shuffle": self.shuffle,
            "class_weight": getattr(self, "class_weight", None),
        }
        options.update({name: params[name] for name in FIT_KEYWORDS if name in params})
        options.update(routed(params, "fit"))
        options.update(overrides)
        unknown = set(options) - _FIT_OPTIONS - {"callbacks"}
        if unknown:
            raise ValueError(
                f"Unknown training option(s) {sorted(unknown)} for "
                f"{type(self).__name__}; known options are {sorted(_FIT_OPTIONS)}."
            )
        return options

    def _validate_training_data(self, X, y, *, reset: bool):
        if reset:
            self._learn_categories(X)
        X = self._encode_categories(X)
        with _numbers_expected(self):
            X, y = validate_data(
                self,
                X,
                y,
                reset=reset,
                dtype=_FLOAT_DTYPES,
                multi_output=True,
                y_numeric=self._y_numeric,
            )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if not reset:
            X = X.astype(self.X_dtype_, copy=False)
        return X, y

    def _learn_categories(self, X) -> None:
        """Find the categorical columns the ready-made network embeds."""
        mask = None
        if self._user_builder() is None and getattr(X, "ndim", 2) == 2:
            mask = categorical_mask(X, self.categorical_features)
        self.is_categorical_ = mask
        self.categories_ = None if mask is None else learn_categories(X, mask)

    def _encode_categories(self, X):
        """``X`` with categorical columns as integer codes (see ``_categorical``)."""
        mask = getattr(self, "is_categorical_", None)
        if mask is None:
            return X
        return encode_categories(X, mask, self.categories_, type(self).__name__)

    def _initialize(self, X, y, classes=None, sample_weight=None) -> None:
        """Fit the target encoder, then build and compile the network."""
        self._seed_ = integer_seed(self.random_state)
        self.target_encoder_ = self._target_encoder(y, classes, sample_weight)
        self.X_dtype_ = X.dtype
        self.X_shape_ = X.shape
        self.y_dtype_ = y.dtype
        self.y_ndim_ = y.ndim
        vars(self).update(self.target_encoder_.metadata())
        self.history_ = {}
        self.model_ = self._build_model(X, y, sample_weight)

    def _metadata(self) -> dict:
        """What a builder receives as ``meta`` (scikeras's keys)."""
        names = (
            "n_features_in_",
            "feature_names_in_",
            "X_dtype_",
            "X_shape_",
            "y_dtype_",
            "y_ndim_",
        )
        meta = {name: getattr(self, name) for name in names if hasattr(self, name)}
        meta.update(self.target_encoder_.metadata())
        return meta

    # ---------------------------------------------------------------- build
    def _user_builder(self):
        """The user's builder, or None for the ready-made network."""
        model = self.model
        build_fn = getattr(self, "build_fn", None)
        if model is not None and build_fn is not None:
            raise ValueError(
                "Pass the model builder as `model` or `build_fn`, not both."
            )
        model = model if model is not None else build_fn
        if model is None:
            return None
        if isinstance(model, keras.Model):

            def copy_of_given_model():
                # Train a copy: fitting must not change the estimator's params.
                return copy.deepcopy(model)

            copy_of_given_model.__name__ = f"the given {type(model).__name__}"
            return copy_of_given_model
        if not callable(model):
            raise TypeError(
                f"model must be a Keras model, a function returning one, or None; "
                f"got {type(model).__name__}."
            )
        return model

    def _build_model(self, X, y, sample_weight) -> keras.Model:
        builder = self._user_builder()
        params = self.get_params(deep=False)
        init_names = set(self._init_defaults())
        check_all_used(type(self).__name__, params, init_names, builder)
        dtype = X.dtype.name
        spec = self._output_spec(y, sample_weight)
        with float_precision(dtype), seeded(self._seed_):
            compile_kwargs = self._compile_arguments(spec.loss)
            if builder is None:
                model = build_dense_network(
                    X.shape[1],
                    spec,
                    hidden_layer_sizes=self.hidden_layer_sizes,
                    activation=self.activation,
                    dropout=self.dropout,
                    alpha=self.alpha,
                    input_encoding=self._input_encoding(X, sample_weight),
                )
            else:
                self._check_network_parameters_unused(builder)
                arguments = builder_arguments(
                    builder, params, init_names, self._metadata(), compile_kwargs
                )
                model = _call_builder(builder, arguments)
            if not model.compiled:
                if self.loss is None and compile_kwargs["loss"] == spec.loss:
                    width = _output_width(model, X.shape[1], dtype)
                    compile_kwargs["loss"] = self._default_loss(width, spec.loss)
                model.compile(**compile_kwargs)
            elif builder is not None:
                self._check_compile_parameters_unused(builder)
            self._check_output_width(model, X.shape[1], dtype)
            one_hot = uses_one_hot_targets(model.loss)
            first_sample = Dataset(
                X[:1],
                self.target_encoder_.encode(y[:1], dtype, one_hot=one_hot),
                np.ones(1, dtype=dtype),
            )
            ensure_built(model, first_sample, dtype)
        return model

    def _input_encoding(self, X, sample_weight) -> TabularEncoding:
        """The ready-made network's first layer, learned from the training data."""
        cardinalities = {}
        if self.is_categorical_ is not None:
            columns = np.flatnonzero(self.is_categorical_)
            cardinalities = {
                int(column): len(levels) + 1
                for column, levels in zip(columns, self.categories_, strict=True)
            }
        return TabularEncoding.from_data(
            X,
            categorical_cardinalities=cardinalities,
            sample_weight=sample_weight,
            alpha=self.alpha,
            name="tabular_encoding",
        )

    def _compile_arguments(self, default_loss: str) -> dict:
        """``Model.compile`` arguments from the parameters (scikeras routing)."""
        try:
            kwargs = _routing.compile_arguments(self.get_params(deep=False))
        except ValueError as error:
            raise ValueError(
                f"Invalid optimizer, loss or metrics for {type(self).__name__}: {error}"
            ) from None
        optimizer = kwargs["optimizer"]
        if optimizer is self.optimizer:
            # An optimizer instance keeps state: train a fresh one each fit.
            optimizer = type(optimizer).from_config(optimizer.get_config())
        elif self.learning_rate is not None and "learning_rate" not in routed(
            self.get_params(deep=False), "optimizer"
        ):
            optimizer.learning_rate = self.learning_rate
        kwargs["optimizer"] = optimizer
        if kwargs["loss"] is None:
            kwargs["loss"] = default_loss
        return kwargs

    def _check_network_parameters_unused(self, builder) -> None:
        """Warn about network parameters a user's builder does not take.

        A warning, not an error: like ``momentum`` of scikit-learn's MLP
        without the SGD solver, they are valid parameters that this
        configuration does not use, and shared grids may set them.
        """
        names, takes_kwargs = builder_parameter_names(builder)
        defaults = self._init_defaults()
        for name in NETWORK_PARAMETERS:
            changed = not _same(getattr(self, name), defaults[name])
            if changed and not takes_kwargs and name not in names:
                warnings.warn(
                    f"{name}={getattr(self, name)!r} is not used: it configures the "
                    f"ready-made network, and the model builder {_name(builder)!r} "
                    f"does not take a {name!r} argument.",
                    UnusedParameterWarning,
                    stacklevel=5,
                )

    def _check_compile_parameters_unused(self, builder) -> None:
        """The builder compiled its model: compile parameters it ignores are unused."""
        names, takes_kwargs = builder_parameter_names(builder)
        if takes_kwargs or "compile_kwargs" in names or "params" in names:
            return
        defaults = self._init_defaults()
        for name in COMPILE_PARAMETERS:
            value = getattr(self, name)
            if name not in names and not _same(value, defaults[name]):
                raise ValueError(
                    f"{name}={value!r} is not used: the model builder "
                    f"{_name(builder)!r} returns a compiled model and takes neither "
                    f"{name!r} nor 'compile_kwargs'. Add one of them to its arguments, "
                    "or return an uncompiled model for skdl to compile."
                )

    def _default_loss(self, output_width: int, default: str) -> str:
        """The loss for an uncompiled user model when ``loss`` is not set."""
        return default

    def _check_output_width(self, model, n_features: int, dtype: str) -> None:
        width = _output_width(model, n_features, dtype)
        if width is None:
            raise ValueError(
                f"The Keras model has several outputs; {type(self).__name__} "
                "trains models with a single output."
            )
        expected = self._expected_output_widths()
        if width not in expected:
            raise ValueError(
                f"The Keras model's output has {width} unit(s), but the target "
                f"({self.target_type_}) needs {' or '.join(map(str, expected))}."
            )

    # ------------------------------------------------------------ weights
    def _sample_weights(self, sample_weight, X, y, class_weight) -> np.ndarray:
        weights = _check_sample_weight(
            sample_weight, X, dtype=X.dtype, ensure_non_negative=True, copy=True
        )
        if class_weight is not None:
            _check_class_weight_classes(class_weight, y)
            weights = weights * compute_sample_weight(class_weight, y)
        if not weights.sum() > 0:
            raise ValueError(
                "sample_weight sums to zero: at least one sample needs a positive "
                "weight for there to be anything to train on."
            )
        return weights.astype(X.dtype, copy=False)

    def _split_validation(self, data: Dataset, y, options, rng):
        """Hold out a validation set, then scale weights to a mean of 1.

        Keras divides a batch's weighted loss by the batch size, not by the
        sum of the weights; scaling the weights to average 1 makes a weight
        of 2 count exactly as a repeated sample when a batch holds the whole
        data set, and on average otherwise.
        """
        fraction = options.get("validation_split")
        validation = None
        if fraction:
            n_train = int(round(len(data) * (1 - fraction)))
            if not 0 < n_train < len(data):
                raise ValueError(
                    f"validation_split={fraction} leaves no training or no "
                    f"validation samples out of {len(data)}."
                )
            validation = data.subset(slice(n_train, None))
            data = data.subset(slice(0, n_train))
        elif self.early_stopping:
            stratify = y if self._stratify_validation(y) else None
            train_index, validation_index = train_test_split(
                np.arange(len(data)),
                test_size=self.validation_fraction,
                random_state=int(rng.integers(np.iinfo(np.int32).max)),
                stratify=stratify,
            )
            validation = data.subset(validation_index)
            data = data.subset(train_index)
        for part in (data, validation):
            if part is not None:
                total = part.sample_weight.sum()
                if total > 0:
                    part.sample_weight = part.sample_weight * (len(part) / total)
        return data, validation

    # ---------------------------------------------------------- persistence
    def save(self, path) -> None:
        """Save the fitted estimator to one file, without pickle.

        The file is a zip archive of the network in Keras's ``.keras``
        format and the parameters and fitted attributes as JSON. Load it with
        :func:`skdl.load`, which runs no code from the file. Parameters that
        are not plain data (a model builder function, callback objects) are
        not saved: after loading, ``model`` is the trained network itself.

        Parameters
        ----------
        path : str or path-like
            Where to write, conventionally with the ``.skdl`` suffix.

        Examples
        --------
        >>> import os, tempfile
        >>> import numpy as np, skdl
        >>> X, y = np.arange(8.0).reshape(-1, 1), np.arange(8.0)
        >>> regressor = skdl.KerasRegressor(epochs=2, random_state=0).fit(X, y)
        >>> path = os.path.join(tempfile.mkdtemp(), "regressor.skdl")
        >>> regressor.save(path)
        >>> same = skdl.load(path)
        >>> bool((same.predict(X) == regressor.predict(X)).all())
        True
        """
        from skdl.estimators._persistence import save_estimator

        save_estimator(self, path)

    # -------------------------------------------------------------- predict
    def _network_outputs(self, X) -> np.ndarray:
        check_is_fitted(self)
        X = self._encode_categories(X)
        with _numbers_expected(self):
            X = validate_data(self, X, reset=False, dtype=_FLOAT_DTYPES)
        X = X.astype(self.X_dtype_, copy=False)
        batch_size = routed(self.get_params(deep=False), "predict").get("batch_size")
        return forward(self.model_, X, batch_size)


@contextlib.contextmanager
def _numbers_expected(estimator):
    """Add the fix to NumPy's "could not convert string to float" error."""
    try:
        yield
    except ValueError as error:
        if "could not convert" not in str(error):
            raise
        raise ValueError(
            f"{type(estimator).__name__} needs numeric features, but X holds text "
            f"({error}). Encode text or categorical columns as numbers first, e.g. "
            "with a OneHotEncoder or OrdinalEncoder in a ColumnTransformer, or use "
            "the ready-made network (no `model`), which encodes the categorical "
            "columns of a DataFrame itself (see `categorical_features`)."
        ) from error


def _check_class_weight_classes(class_weight, y) -> None:
    if not isinstance(class_weight, dict) or y.ndim != 1:
        return
    classes = np.unique(y)
    unknown = [label for label in class_weight if not np.isin(label, classes).any()]
    if unknown:
        raise ValueError(
            f"class_weight names classes {unknown} that are not in y; "
            f"y's classes are {classes.tolist()}."
        )


def _call_builder(builder, arguments: dict) -> keras.Model:
    try:
        model = builder(**arguments)
    except Exception as error:
        error.add_note(f"This was raised by the model builder {_name(builder)!r}.")
        raise
    if not isinstance(model, keras.Model):
        raise TypeError(
            f"The model builder {_name(builder)!r} returned "
            f"{type(model).__name__}, not a keras.Model."
        )
    return model


def _output_width(model, n_features: int, dtype: str) -> int | None:
    """Units of the model's single output, or None for a multi-output model."""
    spec = model.compute_output_spec(keras.KerasTensor((None, n_features), dtype))
    if isinstance(spec, (list, tuple, dict)):
        return None
    return 1 if len(spec.shape) < 2 else spec.shape[-1]


def _one_line_repr(estimator) -> str:
    return " ".join(repr(estimator).split())


def _name(builder) -> str:
    return getattr(builder, "__name__", type(builder).__name__)


def _same(value, default) -> bool:
    try:
        return bool(value == default)
    except Exception:  # arrays, Keras objects
        return value is default
