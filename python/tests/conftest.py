"""Shared fixtures: the source tree (recorded machines) and the `ual` command the results are compared with."""
import os
import pathlib

import pytest

SOURCE_DIR = pathlib.Path(os.environ.get("UAL_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
MACHINES = SOURCE_DIR / "tests" / "fixtures" / "machines"


@pytest.fixture
def machine():
    """The absolute path of a recorded machine under tests/fixtures/machines/."""
    def path(name):
        directory = MACHINES / name
        if not directory.is_dir():
            pytest.skip(f"recorded machine {name} not in {MACHINES}")
        return str(directory)
    return path


@pytest.fixture(scope="session")
def ual_cli():
    """The `ual` executable (UAL_CLI, set by the CTest), or skip."""
    path = os.environ.get("UAL_CLI")
    if not path or not os.access(path, os.X_OK):
        pytest.skip("UAL_CLI does not name the ual executable (the CTest sets it)")
    return path
