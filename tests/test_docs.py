"""The README keeps its promises: two commands first, every setting documented, CI runs command 2."""
from __future__ import annotations

import re
from pathlib import Path

from oscartes_kg.config import Settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_starts_with_exactly_two_commands():
    before_rule = README.split("\n---\n")[0]
    commands = re.findall(r"```sh\n(.*?)\n```", before_rule, flags=re.S)
    assert len(commands) == 2
    assert "oscartes-kg serve --data" in commands[0] and "pip install -e ." in commands[0]
    assert "pytest" in commands[1] and "[test]" in commands[1]


def test_readme_documents_every_setting():
    table = README.split("<!-- settings -->")[1].split("<!-- /settings -->")[0]
    for name in Settings.help():
        assert f"| `{Settings.ENV[name]}` | `{name}` |" in table


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "test-command" in ci and "README.md" in ci
