"""Native writes to descriptor 2 are filtered, never lost."""

import os

import pytest

from skdl._native_stderr import captured_native_stderr


def test_replays_only_the_lines_worth_showing(capfd):
    with captured_native_stderr(keep=lambda line: "keep" in line):
        os.write(2, b"keep this\ndrop this\nkeep that too\n")
    assert capfd.readouterr().err == "keep this\nkeep that too\n"


def test_replays_everything_when_the_block_fails(capfd):
    with pytest.raises(RuntimeError), captured_native_stderr():
        os.write(2, b"the diagnosis\n")
        raise RuntimeError("import failed")
    assert capfd.readouterr().err == "the diagnosis\n"


def test_descriptor_2_is_restored(capfd):
    with captured_native_stderr():
        os.write(2, b"hidden\n")
    os.write(2, b"visible\n")
    assert capfd.readouterr().err == "visible\n"
