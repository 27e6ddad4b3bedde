"""A local cluster started from a script's top level is refused with the fix.

Dask's worker processes import the script that started them; a cluster that
the script starts outside ``if __name__ == "__main__":`` would be started
again by every worker while it starts, which fails as "Nanny failed to
start". skdl says what to change instead, before starting anything.
"""

import runpy
import subprocess
import sys
import textwrap

import pytest

from skdl._main_guard import unguarded_script_line

SCRIPT = """\
from skdl._main_guard import unguarded_script_line

top_level = unguarded_script_line()


def called():
    return unguarded_script_line()


from_function = called()
if __name__ == "__main__":
    guarded = unguarded_script_line()
    guarded_call = called()
if "__main__" == __name__ and True:
    not_a_guard = unguarded_script_line()
"""


def test_unguarded_lines_are_found(tmp_path):
    script = tmp_path / "search.py"
    script.write_text(SCRIPT, encoding="utf-8")
    namespace = runpy.run_path(str(script), run_name="__main__")
    assert namespace["top_level"] == (str(script), 3)
    assert namespace["from_function"] == (str(script), 10)
    assert namespace["guarded"] is None and namespace["guarded_call"] is None
    assert namespace["not_a_guard"] == (str(script), 15)
    # Imported, not run: no main module's code led there.
    assert runpy.run_path(str(script), run_name="search")["top_level"] is None
    assert unguarded_script_line() is None  # pytest's __main__ is guarded


def run_python(*arguments, cwd):
    return subprocess.run(
        [sys.executable, *arguments],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_an_unguarded_local_cluster_is_refused_with_the_fix(tmp_path):
    code = textwrap.dedent(
        """\
        from skdl.dask import dask_backend

        with dask_backend("local", n_workers=1):
            pass
        """
    )
    (tmp_path / "search.py").write_text(code, encoding="utf-8")
    run = run_python("search.py", cwd=tmp_path)
    assert run.returncode == 1
    last_line = run.stderr.strip().splitlines()[-1]
    assert last_line.startswith("RuntimeError: A local Dask cluster started at line 3")
    assert 'under `if __name__ == "__main__":`' in last_line
    assert "Nanny" not in run.stderr  # refused before any process started
    # Code without a file is not imported again by the workers: not refused.
    run = run_python("-c", code.replace("pass", "print('started')"), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout == "started\n"
