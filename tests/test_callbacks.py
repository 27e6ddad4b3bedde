"""Batch-level callback hooks: per-batch training when asked for, fused otherwise."""

import keras
import numpy as np

from skdl import KerasClassifier, KerasRegressor
from skdl._training.loop import has_train_batch_hooks


class BatchRecorder(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.begins, self.ends = [], []

    def on_train_batch_begin(self, batch, logs=None):
        self.begins.append(batch)

    def on_train_batch_end(self, batch, logs=None):
        self.ends.append((batch, dict(logs)))


class OldStyleBatchEnd(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.calls = 0

    def on_batch_end(self, batch, logs=None):
        self.calls += 1


class EpochRecorder(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.epochs = []

    def on_epoch_end(self, epoch, logs=None):
        self.epochs.append(epoch)


def test_batch_hooks_detected_as_keras_does():
    assert has_train_batch_hooks(BatchRecorder())
    assert has_train_batch_hooks(OldStyleBatchEnd())
    assert has_train_batch_hooks(keras.callbacks.LambdaCallback(on_batch_end=print))
    assert has_train_batch_hooks(keras.callbacks.TerminateOnNaN())
    assert not has_train_batch_hooks(EpochRecorder())
    assert not has_train_batch_hooks(keras.callbacks.EarlyStopping())
    assert not has_train_batch_hooks(keras.callbacks.LambdaCallback(on_epoch_end=print))


def test_train_batch_hooks_run_once_per_batch(binary_data):
    X, y = binary_data  # 100 samples: 10 batches of 10 per epoch
    recorder = BatchRecorder()
    KerasClassifier(epochs=3, batch_size=10, random_state=0, callbacks=[recorder]).fit(
        X, y
    )
    assert recorder.begins == list(range(10)) * 3
    assert [batch for batch, _ in recorder.ends] == list(range(10)) * 3
    assert all(set(logs) == {"loss"} for _, logs in recorder.ends)


def test_old_style_batch_hook_and_uneven_last_batch(binary_data):
    X, y = binary_data
    callback = OldStyleBatchEnd()
    # 100 samples in batches of 30: 4 batches, the last of 10.
    KerasClassifier(epochs=2, batch_size=30, random_state=0).fit(
        X, y, callbacks=[callback]
    )
    assert callback.calls == 8


def test_per_batch_path_gives_the_fused_path_results(regression_data):
    X, y = regression_data
    params = dict(epochs=4, batch_size=16, dropout=0.2, random_state=3)
    recorder = BatchRecorder()
    by_batch = KerasRegressor(callbacks=[recorder], **params).fit(X, y)
    fused = KerasRegressor(**params).fit(X, y)
    assert len(recorder.ends) == 4 * 7
    np.testing.assert_array_equal(by_batch.predict(X), fused.predict(X))
    assert by_batch.history_ == fused.history_
    # The last batch's running logs are the epoch's logs.
    assert recorder.ends[-1][1]["loss"] == fused.history_["loss"][-1]


def test_epoch_only_callbacks_keep_the_fused_path(binary_data):
    X, y = binary_data
    epochs = EpochRecorder()
    lambda_batches = []
    lambda_hook = keras.callbacks.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: lambda_batches.append(epoch)
    )
    KerasClassifier(
        epochs=3, batch_size=10, random_state=0, callbacks=[epochs, lambda_hook]
    ).fit(X, y)
    assert epochs.epochs == [0, 1, 2]
    assert lambda_batches == [0, 1, 2]


def test_stop_training_in_a_batch_hook_stops_at_once(binary_data):
    X, y = binary_data

    class StopAfterThreeBatches(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.batches = 0

        def on_train_batch_end(self, batch, logs=None):
            self.batches += 1
            if self.batches == 3:
                self.model.stop_training = True

    stopper = StopAfterThreeBatches()
    clf = KerasClassifier(
        epochs=5, batch_size=10, random_state=0, callbacks=[stopper]
    ).fit(X, y)
    assert stopper.batches == 3
    assert clf.n_iter_ == 1


def test_per_batch_path_with_xla(binary_data):
    X, y = binary_data
    recorder = BatchRecorder()
    clf = KerasClassifier(
        epochs=2,
        batch_size=32,
        random_state=0,
        callbacks=[recorder],
        compile__jit_compile=True,
    ).fit(X, y)
    assert [batch for batch, _ in recorder.ends] == [0, 1, 2, 3] * 2
    assert np.isfinite(clf.history_["loss"]).all()
