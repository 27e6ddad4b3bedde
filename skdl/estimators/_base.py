"""What KerasClassifier and KerasRegressor share: parameters, fit, predict.

Each job has its own module: input checks (``_inputs``), building and
compiling the network (``_building``), sample weights and the validation
split (``_weights``), targets (``_targets``), saving (``_persistence``),
pickling (``_pickling``).

Parameters follow scikeras: extra keyword arguments are parameters too
(builder arguments and routed ``prefix__name`` values), and compile
arguments and callbacks are built by scikeras's routing rules (see
``_routing``). Everything scikeras gets wrong on current scikit-learn and
Keras is skdl's own: input validation, tags, seeding, float precision,
sample weights, the training loop and the prediction path.
"""

import inspect

import keras
import numpy as np
from sklearn.base import BaseEstimator, _fit_context
from sklearn.exceptions import NotFittedError

from skdl._training.data import Dataset
from skdl._training.loop import ensure_built, train
from skdl._training.precision import backend_precision
from skdl._training.predict import forward
from skdl.estimators import _routing
from skdl.estimators._building import BuildingMixin
from skdl.estimators._conventions import (
    EncodersMixin,
    check_initial_epoch,
    resolved_batch_size,
    validation_dataset,
)
from skdl.estimators._guard import StopOnNonFiniteLoss, unchanged_on_failure
from skdl.estimators._input_structures import float_dtype, n_samples
from skdl.estimators._inputs import InputsMixin
from skdl.estimators._params import (
    BUILDER_EXTRAS,
    FIT_KEYWORDS,
    FIT_ONLY_OPTIONS,
    PARAMETER_CONSTRAINTS,
    ROUTING_PREFIXES,
    builder_parameter_names,
    routed,
)
from skdl.estimators._pickling import PicklingMixin
from skdl.estimators._weights import WeightsMixin
from skdl.exceptions import TrainingDivergedError

_FIT_OPTIONS = {"batch_size", "epochs", "verbose", "shuffle", "class_weight"}
_FIT_OPTIONS |= FIT_KEYWORDS | FIT_ONLY_OPTIONS


class BaseKerasEstimator(
    PicklingMixin,
    InputsMixin,
    BuildingMixin,
    WeightsMixin,
    EncodersMixin,
    BaseEstimator,
):
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
        """Default of every named ``__init__`` parameter.

        A subclass's ``__init__`` may add parameters and pass the rest on as
        ``**kwargs`` (scikeras's subclassing pattern): every class's count.
        """
        defaults = {}
        for klass in reversed(cls.__mro__):
            if "__init__" not in vars(klass) or not issubclass(
                klass, BaseKerasEstimator
            ):
                continue
            parameters = inspect.signature(klass.__init__).parameters.values()
            defaults.update(
                (parameter.name, parameter.default)
                for parameter in parameters
                if parameter.name != "self"
                and parameter.kind
                not in (parameter.VAR_KEYWORD, parameter.VAR_POSITIONAL)
            )
        return defaults

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
        builder_names = self._builder_argument_names()
        known = set(self.get_params(deep=False))
        for name, value in params.items():
            if "__" in name and name.split("__", 1)[0] in ROUTING_PREFIXES:
                setattr(self, name, value)
            elif name not in known and name in builder_names:
                # An argument of the model builder that was not given to the
                # constructor: a search may still set it, as it is a parameter.
                setattr(self, name, value)
            else:
                plain[name] = value
        return super().set_params(**plain)

    def _builder_argument_names(self) -> set[str]:
        """Named arguments of the user's model builder (none for a model)."""
        try:
            builder = self._user_builder()
        except (TypeError, ValueError):  # reported, with the fix, at fit
            return set()
        if builder is None:
            return set()
        names, _ = builder_parameter_names(builder)
        return names - BUILDER_EXTRAS

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.input_tags.allow_nan = False
        tags.target_tags.required = True
        tags.target_tags.multi_output = True
        return tags

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "model_")

    @property
    def current_epoch(self) -> int:
        """Epochs trained so far (``len(history_["loss"])``; 0 before ``fit``)."""
        return len(getattr(self, "history_", {}).get("loss", []))

    # ------------------------------------------------------------------ fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, **kwargs):
        """Build a new network (unless ``warm_start``) and train it on ``(X, y)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, ...), dict, list \
or MultiInput
            Training data: a table, an N-D array, a sparse matrix, or the
            inputs of a model with several inputs (see ``model``).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample in the loss; a weight of 2 counts as the
            sample seen twice. Uniform when None.
        **kwargs : dict
            Training options for this call only (``epochs``, ``batch_size``,
            ``verbose``, ``shuffle``, ``validation_split``...), as in scikeras.
            Prefer setting them as parameters (``fit__epochs=10``).
            ``validation_data=(X_val, y_val)`` or ``(X_val, y_val,
            sample_weight_val)`` is evaluated after every epoch (``val_``
            entries of ``history_``; early stopping monitors it instead of
            holding out ``validation_fraction``). ``initial_epoch`` is the
            index of the first epoch for callbacks and learning-rate
            schedules; ``epochs`` epochs are trained either way, as in
            scikeras. Both may also be set as ``fit__`` parameters.

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
        if "initial_epoch" in kwargs:
            raise TypeError(
                "partial_fit always trains from the current epoch "
                f"(current_epoch={self.current_epoch}); drop `initial_epoch`."
            )
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
        self._initialize(self._fit_feature_encoder(X), y)
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
        dtype = float_dtype(X) if reinitialize else self.X_dtype_
        weights = self._sample_weights(
            sample_weight, X, y, options["class_weight"], dtype
        )
        if reinitialize:
            X = self._fit_feature_encoder(X)
            self._initialize(X, y, classes=classes, sample_weight=weights)
        else:
            X = self._encode_features(X)
        loss = getattr(self.model_, "loss", None)
        targets = self.target_encoder_.encode(y, self.X_dtype_, loss=loss)
        data = Dataset(self._network_inputs(X), targets, weights)
        if not reinitialize:
            # A loaded or unpickled network has built no metrics yet.
            ensure_built(self.model_, data, self.X_dtype_.name)
        given_validation = None
        if options.get("validation_data") is not None:
            given_validation = validation_dataset(
                self, options["validation_data"], loss
            )
        initial_epoch = options.get("initial_epoch")
        if initial_epoch is not None:
            initial_epoch = check_initial_epoch(initial_epoch)
        if not append_history:
            self.history_ = {}
        epochs_done = len(self.history_.get("loss", []))
        seed = self._seed_
        rng = np.random.default_rng([seed, epochs_done])
        data, validation = self._split_validation(
            data, y, options, rng, given=given_validation
        )
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
            with backend_precision(self.X_dtype_.name):
                history = train(
                    self.model_,
                    data,
                    epochs=options["epochs"],
                    batch_size=resolved_batch_size(
                        options["batch_size"], len(data), default=min(200, len(data))
                    ),
                    shuffle=options["shuffle"],
                    rng=rng,
                    callbacks=callbacks,
                    validation=validation,
                    validation_batch_size=resolved_batch_size(
                        options.get("validation_batch_size"),
                        0 if validation is None else len(validation),
                    ),
                    initial_epoch=epochs_done
                    if initial_epoch is None
                    else initial_epoch,
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

        for name in ("feature_encoder", "target_encoder"):
            if getattr(self, name) is not None:
                raise TypeError(
                    f"{type(self).__name__} has a custom {name} (a scikit-learn "
                    "transformer), which the .skdl format cannot hold without "
                    "running code when loading. Save it with pickle or joblib "
                    "instead."
                )
        save_estimator(self, path)

    # -------------------------------------------------------------- predict
    def _network_outputs(self, X) -> np.ndarray:
        if not self.__sklearn_is_fitted__():
            # check_is_fitted's own message; calling it costs a tenth of a
            # one-row prediction (it builds the estimator's tags).
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet. Call "
                "'fit' with appropriate arguments before using this estimator."
            )
        X = self._encode_features(self._validate_predict_data(X))
        # The one routed predict option, read directly: get_params would
        # cost more than a one-row prediction.
        batch_size = vars(self).get("predict__batch_size")
        batch_size = resolved_batch_size(batch_size, n_samples(X))
        with backend_precision(self.X_dtype_.name):
            return forward(self.model_, self._network_inputs(X), batch_size)


def _one_line_repr(estimator) -> str:
    return " ".join(repr(estimator).split())
