"""Say how to fix a script that starts worker processes from its top level.

Dask's local workers are started fresh ("spawn"): each imports the script
that started the cluster before it does anything else, and so runs the
script's top-level code again. A cluster started there starts workers of
its own while the worker is still starting, which multiprocessing refuses
("An attempt has been made to start a new process before the current process
has finished its bootstrapping phase"), and the user sees only "Nanny failed
to start". :func:`refuse_unguarded_start` finds that situation before any
process starts and says what to change.
"""

import ast
import inspect
import sys
from pathlib import Path

# The names the script has as the main program, and in a spawned child.
_MAIN_NAMES = ("__main__", "__mp_main__")


def _is_main_test(test: ast.expr) -> bool:
    """Whether ``test`` is ``__name__ == "__main__"`` (either way round)."""
    if not (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.Eq)
    ):
        return False
    sides = [test.left, test.comparators[0]]
    names = {side.id for side in sides if isinstance(side, ast.Name)}
    values = {side.value for side in sides if isinstance(side, ast.Constant)}
    return names == {"__name__"} and values == {"__main__"}


def _reimported_by_children() -> bool:
    """Whether spawned children run the main module again, as multiprocessing does.

    They do for a script (``python search.py``) and a module run with ``-m``,
    but not for a package's ``__main__`` nor for code without a file
    (``python -c``, a notebook, the interactive prompt).
    """
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if spec is not None:
        return not (spec.name == "__main__" or spec.name.endswith(".__main__"))
    path = getattr(main, "__file__", None)
    return bool(path) and Path(path).stem != "__main__"


def unguarded_script_line() -> tuple[str, int] | None:
    """The file and line of the main script that led here, if unguarded.

    Returns None when the call does not come from the main module's
    top-level code, or comes from inside its ``if __name__ == "__main__":``.
    """
    frame = inspect.currentframe()
    try:
        while frame is not None and not (
            frame.f_code.co_name == "<module>"
            and frame.f_globals.get("__name__") in _MAIN_NAMES
        ):
            frame = frame.f_back
        if frame is None:
            return None
        path, line = frame.f_code.co_filename, frame.f_lineno
    finally:
        del frame
    try:
        tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return None  # no source file: "<stdin>", "<string>", a notebook cell
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.If)
            and _is_main_test(node.test)
            and node.lineno <= line <= node.end_lineno
        ):
            return None
    return path, line


def refuse_unguarded_start(what: str) -> None:
    """Raise RuntimeError if ``what`` starts processes from a script's top level.

    Parameters
    ----------
    what : str
        What starts the processes, as the message names it.

    Examples
    --------
    >>> from skdl._main_guard import refuse_unguarded_start
    >>> refuse_unguarded_start("A local cluster")  # a doctest: nothing to say
    """
    if not _reimported_by_children():
        return
    unguarded = unguarded_script_line()
    if unguarded is None:
        return
    path, line = unguarded
    raise RuntimeError(
        f"{what} at line {line} of {path} runs outside "
        f'`if __name__ == "__main__":`. The worker processes start by importing '
        f"that script, which runs its top-level code again, this line included, "
        f'before they have finished starting (multiprocessing: "An attempt has '
        f"been made to start a new process before the current process has "
        f'finished its bootstrapping phase"). Put the code that starts the '
        f'cluster, and the searches that use it, under `if __name__ == "__main__":`.'
    )
