"""skdl's speed benchmarks: skdl against raw Keras, scikeras and scikit-learn's MLP.

Run the whole suite with ``python -m benchmarks`` from the repository root
(``--quick`` for a smoke test of a few minutes); see ``python -m benchmarks
--help`` and ``docs/benchmarks.rst``.
"""
