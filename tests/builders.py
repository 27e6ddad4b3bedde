"""Model builders in the style of the classic Keras tutorials, for the tests."""

import keras


def tutorial_baseline_model(optimizer="adam"):
    """The red-wine / diabetes tutorial's regressor, verbatim: 20 -> 6 -> 1."""
    return baseline_model({"n_outputs_": 1}, optimizer)


def baseline_model(meta, optimizer="adam"):
    """The tutorial's regressor, with one output unit per target column."""
    model = keras.Sequential(
        [
            keras.layers.Dense(20, activation="relu", kernel_initializer="normal"),
            keras.layers.Dense(6, activation="relu", kernel_initializer="normal"),
            keras.layers.Dense(meta["n_outputs_"], kernel_initializer="normal"),
        ]
    )
    model.compile(loss="mean_squared_error", optimizer=optimizer)
    return model


def baseline_classifier(meta, optimizer="adam"):
    """The sonar tutorial's classifier, sized from the target: 24 -> 10 -> out."""
    n_classes = meta["n_classes_"]
    binary = meta["target_type_"] == "binary"
    multilabel = meta["target_type_"] == "multilabel-indicator"
    model = keras.Sequential(
        [
            keras.Input((meta["n_features_in_"],)),
            keras.layers.Dense(24, activation="relu", kernel_initializer="normal"),
            keras.layers.Dense(10, activation="relu", kernel_initializer="normal"),
            keras.layers.Dense(
                1 if binary else n_classes,
                activation="sigmoid" if binary or multilabel else "softmax",
            ),
        ]
    )
    loss = (
        "binary_crossentropy"
        if binary or multilabel
        else "sparse_categorical_crossentropy"
    )
    model.compile(loss=loss, optimizer=optimizer, metrics=["accuracy"])
    return model


def scikeras_style_classifier(meta, compile_kwargs, hidden_layer_sizes=(24,)):
    """A builder as scikeras's documentation writes them: outputs in a list.

    It reads the target from ``meta``, returns ``keras.Model(inp, [out])``
    (one output per label column of a multiclass-multioutput target) and
    compiles with the estimator's ``compile_kwargs``, one loss per output.
    """
    inputs = keras.Input((meta["n_features_in_"],))
    hidden = inputs
    for units in hidden_layer_sizes:
        hidden = keras.layers.Dense(units, activation="relu")(hidden)
    if meta["target_type_"] == "multiclass-multioutput":
        heads = meta["n_classes_"]
        activations = ["softmax"] * len(heads)
    elif meta["target_type_"] == "multilabel-indicator":
        heads, activations = [meta["n_classes_"]], ["sigmoid"]
    elif meta["target_type_"] == "binary":
        heads, activations = [1], ["sigmoid"]
    else:
        heads, activations = [meta["n_classes_"]], ["softmax"]
    outputs = [
        keras.layers.Dense(units, activation=activation)(hidden)
        for units, activation in zip(heads, activations, strict=True)
    ]
    sigmoid = activations == ["sigmoid"]
    loss = "binary_crossentropy" if sigmoid else "sparse_categorical_crossentropy"
    model = keras.Model(inputs, outputs)
    model.compile(
        optimizer=compile_kwargs["optimizer"],
        loss=[loss] * len(outputs),
        metrics=[["accuracy"]] * len(outputs),
    )
    return model


def scikeras_style_regressor(meta, hidden_layer_sizes=(24,)):
    """A regressor builder with its output in a list, left uncompiled."""
    inputs = keras.Input((meta["n_features_in_"],))
    hidden = inputs
    for units in hidden_layer_sizes:
        hidden = keras.layers.Dense(units, activation="relu")(hidden)
    output = keras.layers.Dense(meta["n_outputs_"])(hidden)
    return keras.Model(inputs, [output])
