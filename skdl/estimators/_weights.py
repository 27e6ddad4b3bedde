"""Sample weights, class weights and the validation split."""

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.utils import compute_sample_weight
from sklearn.utils.validation import _check_sample_weight

from skdl._training.data import Dataset
from skdl.estimators._input_structures import n_samples


class WeightsMixin:
    """Sample weights that mean repeated samples, and held-out validation data."""

    def _sample_weights(self, sample_weight, X, y, class_weight, dtype) -> np.ndarray:
        """Weights of ``X``'s samples (in the network's float ``dtype``)."""
        # X may be several inputs: only its number of samples matters here.
        samples = range(n_samples(X))
        weights = _check_sample_weight(
            sample_weight, samples, dtype=dtype, ensure_non_negative=True, copy=True
        )
        if class_weight is not None:
            _check_class_weight_classes(class_weight, y)
            weights = weights * compute_sample_weight(class_weight, y)
        if not weights.sum() > 0:
            raise ValueError(
                "sample_weight sums to zero: at least one sample needs a positive "
                "weight for there to be anything to train on."
            )
        return weights.astype(dtype, copy=False)

    def _split_validation(self, data: Dataset, y, options, rng, given=None):
        """Hold out a validation set, then scale weights to a mean of 1.

        ``given`` (from ``validation_data``) is used instead of holding out
        part of ``data``.

        Keras divides a batch's weighted loss by the batch size, not by the
        sum of the weights; scaling the weights to average 1 makes a weight
        of 2 count exactly as a repeated sample when a batch holds the whole
        data set, and on average otherwise.
        """
        fraction = options.get("validation_split")
        validation = given
        if given is not None:
            pass
        elif fraction:
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
