"""Parameter documentation shared by KerasClassifier and KerasRegressor."""

MODEL_PARAMETER = """\
    model : callable, keras.Model or None, default=None
        The network to train. ``None`` trains the ready-made dense network
        described by ``hidden_layer_sizes``, ``activation``, ``dropout`` and
        ``alpha``. A callable is a model builder, called at every fresh
        ``fit`` with the arguments it names: ``meta`` (fitted metadata such
        as ``n_features_in_``, ``classes_``, ``n_classes_``,
        ``n_outputs_expected_``, ``target_type_``), ``compile_kwargs``,
        ``params``, any parameter of this estimator (``optimizer``, say) and
        any extra keyword argument given here; ``model__<name>`` parameters
        are passed as ``<name>``. It may return a compiled or uncompiled
        model. A ``keras.Model`` instance is copied, weights included, and
        the copy is trained.

        ``X`` may be a table, any N-D array with samples along its first
        axis (images, sequences, token ids), a SciPy sparse matrix (never
        densified whole: one mini-batch at a time), or, for a model with
        several inputs, a dict of arrays keyed by input name, a list of
        arrays in input order, or a :class:`~skdl.MultiInput` (which
        cross-validation can slice). Integer ``X`` stays integer where the
        model declares an integer input (``keras.Input(shape,
        dtype="int32")``, for an ``Embedding``); otherwise ``X`` is passed as
        floats of the network's precision. The ready-made network (or any
        model whose single input takes flat rows of as many values) gets
        N-D samples flattened into one row of features; it scales sparse
        columns without centering them."""

NETWORK_PARAMETERS = """\
    hidden_layer_sizes : array-like of shape (n_layers,), default=(100,)
        Units of each hidden layer of the ready-made network.
    activation : str, default="relu"
        Keras activation of the ready-made network's hidden layers.
    dropout : float, default=0.0
        Dropout rate after each hidden layer of the ready-made network.
    alpha : float, default=0.0001
        L2 penalty of the ready-made network: ``alpha * sum(kernel ** 2)``
        over all kernels and embeddings is added to the loss of every batch.
    categorical_features : "from_dtype", array-like of str, bool or int or \
None, default="from_dtype"
        Columns the ready-made network embeds instead of scaling, as in
        :class:`~sklearn.ensemble.HistGradientBoostingClassifier`:
        ``"from_dtype"`` takes the DataFrame columns of ``category``,
        string, object or boolean dtype; column names, a boolean mask or
        column indices name them; None embeds no column. Unknown levels and
        missing values in these columns are accepted (they share one code).
        Only the ready-made network uses it.
    optimizer : str, type or keras.optimizers.Optimizer, default="adam"
        Keras optimizer, by name (``"sgd"``, ``"Adam"``...), class or
        instance; an instance is copied before training. Its arguments can
        be routed as ``optimizer__<name>``.
    learning_rate : float or None, default=None
        Learning rate of an optimizer given by name or class, unless
        ``optimizer__learning_rate`` is set. None keeps the optimizer's
        Keras default: 0.001 for Adam and RMSprop, 0.01 for SGD.
    loss : str, callable, keras.losses.Loss or None, default=None
        Keras loss. ``None`` picks it from the target (see Notes)."""

TRAINING_PARAMETERS = """\
    metrics : str, keras.metrics.Metric, list, dict or None, default=None
        Keras metrics to record in ``history_`` (for example ``["mae"]``, or
        one metric: ``"accuracy"``).
    batch_size : int or None, default=None
        Samples per gradient step; ``min(200, n_samples)`` when None, as in
        scikit-learn's MLP; -1 puts all samples in one batch, as in scikeras.
    epochs : int, default=200
        Passes over the training data in each ``fit``.
    shuffle : bool, default=True
        Visit the samples in a new order every epoch.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data and stop when
        its loss has not improved by ``tol`` for ``n_iter_no_change``
        epochs, keeping the best weights.
    validation_fraction : float, default=0.1
        Fraction held out for early stopping.
    n_iter_no_change : int, default=10
        Epochs without improvement before early stopping stops.
    tol : float, default=1e-4
        Smallest improvement of the validation loss that counts.
    callbacks : list of keras.callbacks.Callback or None, default=None
        Keras callbacks, called at the start and end of training and of each
        epoch. Their arguments can be routed as ``callbacks__<name>``. When
        one implements a train-batch hook (``on_train_batch_end``...), each
        mini-batch is trained in a call of its own so that the hooks run once
        per batch; otherwise each epoch is one fused call.
    warm_start : bool, default=False
        Keep the trained network between calls to ``fit`` instead of
        building a new one.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, dropout, shuffling and validation
        splits. An int gives the same network in every run and process.
        ``None`` draws the seed from NumPy's global generator, as
        scikit-learn estimators do; no other global generator is used or
        changed.
    verbose : int, default=0
        0 prints nothing, 1 a progress bar, 2 one line per epoch.
    **kwargs : dict
        Extra arguments for the model builder, and routed parameters:
        ``model__``, ``fit__``, ``compile__``, ``optimizer__``, ``loss__``,
        ``metrics__``, ``callbacks__``, ``predict__`` (for example
        ``predict__batch_size``, ``fit__validation_data``,
        ``fit__initial_epoch``). Keras's ``validation_split``,
        ``validation_batch_size``, ``loss_weights``, ``weighted_metrics``
        and ``run_eagerly`` are accepted too. Any other name raises a
        ``ValueError`` at ``fit``, with the closest known name."""

FITTED_ATTRIBUTES = """\
    model_ : keras.Model
        The trained network.
    history_ : dict of str to list of float
        Loss and metrics of every epoch (``val_`` prefixed for validation
        data), as in Keras's ``History``.
    n_iter_ : int
        Epochs run by the last call to ``fit`` or ``partial_fit``.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``, when ``X`` has string column
        names.
    target_type_ : str
        The target's type, as :func:`sklearn.utils.multiclass.type_of_target`
        names it.
    n_outputs_ : int
        Target columns (1 for a 1-D target).
    target_encoder_ : object
        Turns targets into network targets and outputs into predictions
        (after and before a subclass's ``target_encoder``, whose fitted
        transformer is its ``transformer`` attribute).
    feature_encoder_ : object
        The fitted ``feature_encoder`` of a subclass that defines one.
    X_dtype_ : numpy.dtype
        The float precision the network computes in: float32 for float32
        ``X``, float64 otherwise, as in scikit-learn's MLP.
    X_shape_ : tuple of int, or dict or list of them
        The shape of the training ``X`` (of each input, for several inputs);
        ``predict`` refuses samples of another shape.
    is_categorical_ : ndarray of shape (`n_features_in_`,) of bool or None
        The columns the ready-made network embedded; None when none.
    categories_ : list of ndarray or None
        The levels of each embedded column seen in ``fit``, in column order."""
