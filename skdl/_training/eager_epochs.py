"""Epochs on any other Keras backend (PyTorch...): Keras's own steps, eagerly.

Each mini-batch goes through ``model.train_step`` (``test_step`` for
validation), as one step of ``keras.Model.fit`` does on these backends, with
the metrics accumulating over the epoch. (``train_on_batch`` would reset
them at every batch.) Nothing is fused or shared between models, so this
path is correct everywhere and fast nowhere; TensorFlow and JAX have compiled
paths of their own, and JAX's ``train_step`` takes the state as an argument.
"""

import numpy as np

from skdl._training.data import Dataset, as_floats, map_arrays
from skdl._training.sparse import densified


class Epochs:
    """Epochs of one ``train_step`` (or ``test_step``) call per batch."""

    def __init__(self, model, data: Dataset, batch_size: int, training: bool = True):
        self.model = model
        self.data = data
        self.batch_size = batch_size
        self.training = training

    def _batch_logs(self, index: np.ndarray) -> dict[str, float]:
        batch = self.data.subset(index)
        step = self.model.train_step if self.training else self.model.test_step
        logs = step((map_arrays(densified, batch.x), batch.y, batch.sample_weight))
        return as_floats(logs)

    def run(self, order: np.ndarray) -> dict[str, float]:
        """One pass over the rows in ``order``; the epoch's logs."""
        self.model.reset_metrics()
        logs: dict[str, float] = {}
        for start in range(0, len(order), self.batch_size):
            logs = self._batch_logs(order[start : start + self.batch_size])
        return logs

    def run_by_batch(self, order: np.ndarray, callback_list) -> dict[str, float]:
        """One epoch with the batch hooks around each batch."""
        self.model.reset_metrics()
        logs: dict[str, float] = {}
        for batch, start in enumerate(range(0, len(order), self.batch_size)):
            callback_list.on_train_batch_begin(batch)
            logs = self._batch_logs(order[start : start + self.batch_size])
            callback_list.on_train_batch_end(batch, logs)
            if self.model.stop_training:
                break
        return logs


def training_epochs(model, data: Dataset, batch_size: int) -> Epochs:
    """Training epochs of ``model`` over ``data``."""
    return Epochs(model, data, batch_size, training=True)


def evaluation_epochs(model, data: Dataset, batch_size: int) -> Epochs:
    """Passes of ``model.test_step`` over ``data``."""
    return Epochs(model, data, batch_size, training=False)


def forward_batch(model, x):
    """The model's outputs for one batch: Keras's own one-batch prediction."""
    outputs = model.predict_on_batch(x)
    return map_arrays(np.asarray, outputs)
