"""-q, -v and --debug: taken after the command name too, and what they change."""

from __future__ import annotations

import logging
from pathlib import Path

import cli
from tests.cli.conftest import run


def test_quiet_and_verbose_go_after_the_command_name_too(tmp_path: Path, book: Path) -> None:
    """`capopt solve -q` was "No such option: -q": they existed only as `capopt -q solve`."""
    out = tmp_path / "plan.xlsx"
    result = run("solve", book, "-o", out, "-q")
    assert result.exit_code == 0, result.output
    assert "incumbent" not in result.stderr  # no progress lines: quiet
    assert "incumbent" in run("solve", book, "-o", out).stderr  # …which it is without -q
    root = logging.getLogger()
    level = root.level
    try:
        assert run("validate", book, "-vv", "--debug").exit_code == 0
        assert root.level == logging.DEBUG
    finally:
        root.setLevel(level)
    for command in cli.main.commands.values():
        names = {opt for p in command.params for opt in getattr(p, "opts", [])}
        assert {"-q", "-v", "--debug"} <= names, command.name
