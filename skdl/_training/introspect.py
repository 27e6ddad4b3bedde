"""Which compiled functions a model ran with, whatever the backend.

For tests and diagnostics: models that share one compilation (see
``compiled.model_key``) get the same object under the same name.
"""

import keras


def compiled_functions(model) -> dict:
    """The compiled functions ``model`` trained and predicted with, by name.

    Names: ``"train_epoch"`` (the fused epoch), ``"test_epoch"`` (validation),
    ``"forward"`` (predict), and backend-specific others.
    """
    backend = keras.backend.backend()
    if backend == "tensorflow":
        from skdl._training import compiled

        functions = getattr(model, compiled._MODEL_ATTRIBUTE, {})
        return {name: function.trace for (name, *_), function in functions.items()}
    if backend == "jax":
        from skdl._training import jax_epochs

        return dict(getattr(model, jax_epochs._USED_ATTRIBUTE, {}))
    return {}
