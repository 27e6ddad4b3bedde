"""Building and compiling the network: the ready-made one or the user's."""

import warnings

import keras
import numpy as np

from skdl._training.data import Dataset, map_arrays
from skdl._training.loop import ensure_built
from skdl._training.precision import float_precision
from skdl._training.seeding import integer_seed, seeded
from skdl.estimators import _routing
from skdl.estimators._input_structures import float_dtype, input_shapes
from skdl.estimators._outputs import OutputLayout
from skdl.estimators._params import (
    COMPILE_PARAMETERS,
    NETWORK_PARAMETERS,
    builder_arguments,
    builder_parameter_names,
    check_all_used,
    routed,
)
from skdl.estimators._pickling import copied_network
from skdl.exceptions import UnusedParameterWarning
from skdl.networks import TabularEncoding, build_dense_network


class BuildingMixin:
    """Builds and compiles ``model_`` from the estimator's parameters."""

    def _initialize(self, X, y, classes=None, sample_weight=None) -> None:
        """Fit the target encoder, then build and compile the network."""
        self._seed_ = integer_seed(self.random_state)
        self.target_encoder_ = self._fitted_target_encoder(y, classes, sample_weight)
        self.X_dtype_ = float_dtype(X)
        self.X_shape_ = input_shapes(X)
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

    def _user_builder(self):
        """The user's builder, or None for the ready-made network."""
        model = self.model
        build_fn = getattr(self, "build_fn", None)
        if model is not None and build_fn is not None:
            raise ValueError(
                "Pass the model builder as `model` or `build_fn`, not both."
            )
        model = model if model is not None else build_fn
        # scikeras's subclassing pattern: a subclass builds in _keras_build_fn.
        subclass_builder = getattr(self, "_keras_build_fn", None)
        if model is None:
            return subclass_builder
        if subclass_builder is not None:
            raise ValueError(
                f"{type(self).__name__} defines _keras_build_fn, so it builds its "
                "own model: leave `model` (and `build_fn`) as None."
            )
        if isinstance(model, keras.Model):

            def copy_of_given_model():
                # Train a copy: fitting must not change the estimator's params.
                return copied_network(model)

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
        dtype = self.X_dtype_.name
        spec = self._output_spec(y, sample_weight)
        with float_precision(dtype), seeded(self._seed_) as seeds:
            compile_kwargs = self._compile_arguments(spec.loss)
            if builder is None:
                # N-D samples are flattened for the ready-made network.
                if X.ndim > 2:
                    X = X.reshape(X.shape[0], -1)
                model = build_dense_network(
                    X.shape[1],
                    spec,
                    hidden_layer_sizes=self.hidden_layer_sizes,
                    activation=self.activation,
                    dropout=self.dropout,
                    alpha=self.alpha,
                    input_encoding=self._input_encoding(X, sample_weight),
                    # Seeds of the network's own: Python's global random is
                    # shared with every thread (seeding.py).
                    seed=self._seed_,
                )
            else:
                self._check_network_parameters_unused(builder)
                arguments = builder_arguments(
                    builder, params, init_names, self._metadata(), compile_kwargs
                )
                # Again if another thread drew from Python's random meanwhile.
                model = seeds.call(_call_builder, builder, arguments)
            first_x = self._network_inputs(map_arrays(lambda a: a[:1], X), model)
            inputs = map_arrays(_symbolic_input, first_x)
            # Outputs that do not suit the target fail here, before training.
            layout = OutputLayout.of_model(model, inputs)
            self.target_encoder_.bind(layout, type(self).__name__)
            if not model.compiled:
                if self.loss is None and compile_kwargs["loss"] == spec.loss:
                    compile_kwargs["loss"] = self._default_losses(layout, spec.loss)
                model.compile(**compile_kwargs)
            elif builder is not None:
                self._check_compile_parameters_unused(builder)
            first_sample = Dataset(
                first_x,
                self.target_encoder_.encode(y[:1], dtype, loss=model.loss),
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
            # A stream of its own, so that the number of categorical columns
            # does not shift the seeds of the hidden layers.
            seed=int(np.random.SeedSequence([self._seed_, 1]).generate_state(1)[0]),
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
        """The loss of one output of an uncompiled user model, ``loss`` unset."""
        return default

    def _default_losses(self, layout: OutputLayout, default: str):
        """The loss for an uncompiled user model when ``loss`` is not set.

        One loss for all outputs when they share it, otherwise one per output
        in the model's structure (a list, or a dict by output name).
        """
        losses = [self._default_loss(width, default) for width in layout.widths]
        if len(set(losses)) == 1:
            return losses[0]
        return layout.arrange(losses)


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


def _symbolic_input(array) -> keras.KerasTensor:
    """A symbolic batch of samples shaped like ``array``'s."""
    return keras.KerasTensor((None, *array.shape[1:]), array.dtype.name)


def _name(builder) -> str:
    return getattr(builder, "__name__", type(builder).__name__)


def _same(value, default) -> bool:
    try:
        return bool(value == default)
    except Exception:  # arrays, Keras objects
        return value is default
