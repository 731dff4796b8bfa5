"""Shared fixtures of the wangge package's tests (run by `.ci/run` in its own venv)."""

import json
import pathlib

import pytest

import wangge

HERE = pathlib.Path(__file__).parent


@pytest.fixture(scope="session")
def figures():
    """The figures of the Rust scenario of `tests/figures.rs` (checked there against the core)."""
    return json.loads((HERE / "figures.json").read_text())


@pytest.fixture
def city():
    """A seeded synthetic city of about 10,000 residents with edition 9 adopted."""
    reg = wangge.Registry.synth(10_000, seed=7)
    reg.adopt_policy("cn_ed9_close_contact")
    return reg
