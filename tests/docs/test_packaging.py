"""What the wheel and the sdist carry, read from pyproject.toml and MANIFEST.in (building
them is `pip wheel .`, measured by hand; here the declarations are checked): an SPDX license
with its file, completions as data files under the names each shell looks for, and an sdist
with the tests and completions."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_license_is_an_spdx_expression_with_its_file():
    meta = project()["project"]
    assert meta["license"] == "MIT" and meta["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text().startswith("MIT License\n")
    assert any(c.startswith("Programming Language :: Python :: 3.11") for c in meta["classifiers"])


def test_completions_install_where_shells_look_for_them():
    data = project()["tool"]["setuptools"]["data-files"]
    assert data == {
        "share/bash-completion/completions": ["completions/closetask.bash"],
        "share/zsh/site-functions": ["completions/_closetask"],
        "share/fish/vendor_completions.d": ["completions/closetask.fish"],
    }
    for files in data.values():
        assert all((ROOT / f).is_file() for f in files)


def test_the_sdist_carries_tests_and_completions():
    manifest = (ROOT / "MANIFEST.in").read_text().splitlines()
    for line in ("graft tests", "graft completions", "include LICENSE README.md ARCHITECTURE.md"):
        assert line in manifest


def test_dependency_floors_can_be_met_together():
    deps = project()["project"]["dependencies"]
    assert "rich>=13.8" in " ".join(deps)  # typer 0.28 needs rich 13.8
