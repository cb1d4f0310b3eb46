"""`.env.example` and the README's configuration table name every variable the settings read."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READ_CALL = re.compile(r"""(?:env_\w+|db_url|cache_url)\(\s*["']([A-Z][A-Z0-9_]+)["']""")


def _settings_variables() -> set[str]:
    return set(READ_CALL.findall((ROOT / "teamsadmin" / "settings.py").read_text()))


def _example_variables() -> set[str]:
    names = set()
    for line in (ROOT / ".env.example").read_text().splitlines():
        match = re.match(r"#?\s*([A-Z][A-Z0-9_]+)=", line)
        if match:
            names.add(match.group(1))
    return names


def test_settings_read_the_variables_we_expect() -> None:
    assert {
        "DEBUG",
        "SECRET_KEY",
        "DATABASE_URL",
        "TEAMSADMIN_SYNC_INTERVAL_SECONDS",
    } <= _settings_variables()


def test_env_example_lists_every_variable() -> None:
    missing = _settings_variables() - _example_variables()
    assert not missing, f".env.example lacks {sorted(missing)}"


def test_env_example_lists_nothing_the_settings_ignore() -> None:
    extra = _example_variables() - _settings_variables()
    assert not extra, f".env.example names unknown variables {sorted(extra)}"


def test_readme_configuration_table_lists_every_variable() -> None:
    readme = (ROOT / "README.md").read_text()
    missing = {name for name in _settings_variables() if f"`{name}`" not in readme}
    assert not missing, f"README's configuration table lacks {sorted(missing)}"
