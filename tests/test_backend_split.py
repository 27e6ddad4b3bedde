"""Every test module is run on JAX too, or is listed as not needing it."""

from tests.backend_tests import (
    BACKEND_NEUTRAL,
    BACKEND_TESTS,
    TENSORFLOW_TESTS,
    module_names,
)


def test_every_test_module_is_classified():
    groups = [BACKEND_TESTS, TENSORFLOW_TESTS, BACKEND_NEUTRAL]
    listed = set().union(*groups)
    assert sum(map(len, groups)) == len(listed), "a module is listed twice"
    assert module_names() - listed == set(), "classify it in tests/backend_tests.py"
