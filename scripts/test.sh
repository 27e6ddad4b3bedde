#!/usr/bin/env bash
# The test suite, lint included, under TensorFlow (Keras's default backend)
# and then under JAX. Pass pytest options, e.g. -m "not slow".
source "$(dirname "$0")/bootstrap.sh"
source scripts/browser.sh
ruff check skdl tests examples benchmarks
ruff format --check skdl tests examples benchmarks
export KERAS_BACKEND=tensorflow
echo "== Keras on TensorFlow: the whole suite"
python -m pytest --doctest-modules skdl tests "$@"
# Everything that trains or predicts runs again on JAX; the pages, examples,
# reports and command line do not depend on the backend.
echo "== Keras on JAX: every test that trains or predicts"
KERAS_BACKEND=jax exec python -m pytest --doctest-modules skdl \
    $(python tests/backend_tests.py) "$@"
