"""Training that fails cleanly.

A loss that turns NaN or infinite stops training with a clear error instead
of producing NaN predictions, and a fit that raises (an interrupt included)
leaves the estimator as it was before the call: unfitted, or fitted as
before with its old weights.
"""

import copy
import math
from contextlib import contextmanager

import keras

from skdl._training.precision import backend_precision
from skdl.exceptions import TrainingDivergedError


class StopOnNonFiniteLoss(keras.callbacks.Callback):
    """Raise :class:`TrainingDivergedError` when an epoch's loss is not finite.

    It also remembers the epoch being trained, for error messages.

    Parameters
    ----------
    estimator_repr : str
        The estimator as ``repr`` shows it (its non-default parameters), so
        that a search's error names the failing candidate.
    """

    # It never looks at the model: training may keep the model's state
    # to itself between epochs (skdl._training.loop.looks_at_model).
    reads_only_logs = True

    def __init__(self, estimator_repr: str):
        super().__init__()
        self.estimator_repr = estimator_repr
        self.epoch = None

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            raise TrainingDivergedError(
                f"Training diverged: the loss became {float(loss)} in epoch "
                f"{epoch + 1} of {self.estimator_repr}. Lower the learning rate, "
                "standardize the features (and a regression target), or clip "
                "the gradients (optimizer__clipnorm=1.0)."
            )


def fitted_attributes(estimator) -> dict:
    """The estimator's fitted attributes (names ending in ``_``), by name."""
    return {
        name: value
        for name, value in vars(estimator).items()
        if name.endswith("_") and not name.startswith("__")
    }


@contextmanager
def unchanged_on_failure(estimator, *, trains_existing_model: bool):
    """Undo a fit's changes to ``estimator`` if the block raises.

    Parameters
    ----------
    estimator : BaseKerasEstimator
        The estimator being fitted.
    trains_existing_model : bool
        Whether the fit goes on training the current ``model_`` (warm start,
        ``partial_fit``), whose weights and optimizer state then have to be
        saved; a fit that builds a new network leaves the old one untouched.
    """
    before = fitted_attributes(estimator)
    if "history_" in before:  # extended in place by a continued fit
        before["history_"] = copy.deepcopy(before["history_"])
    model = before.get("model_") if trains_existing_model else None
    if model is not None:
        weights = model.get_weights()
        optimizer = getattr(model, "optimizer", None)
        optimizer_state = [v.numpy() for v in optimizer.variables] if optimizer else []
    try:
        yield
    except BaseException:
        for name in fitted_attributes(estimator):
            delattr(estimator, name)
        vars(estimator).update(before)
        if model is not None:
            with backend_precision(estimator.X_dtype_.name):
                model.set_weights(weights)
                if optimizer is not None and len(optimizer.variables) == len(
                    optimizer_state
                ):
                    for variable, value in zip(
                        optimizer.variables, optimizer_state, strict=True
                    ):
                        variable.assign(value)
        raise
