"""Command-line defaults from ``[tool.convanim]`` in the working directory's ``pyproject.toml``.

A project that keeps its figures in a repository writes its house options once::

    [tool.convanim]
    theme = "dark"            # every command that has --theme
    size = "720p"

    [tool.convanim.custom]    # one command only (wins over the shared keys)
    numbers = true

Only the command line reads this (through click's ``default_map``), and the command line wins over
it; the Python API never reads a file behind the caller's back. Keys are option names, with dashes
or underscores. A key no command knows is an error, so a typo cannot silently do nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

PYPROJECT = Path("pyproject.toml")


def read_table(path: Path = PYPROJECT) -> dict[str, Any]:
    """The ``[tool.convanim]`` table of ``path``; empty when the file or the table is absent."""
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: not valid TOML: {exc}") from None
    tool = data.get("tool", {})
    table = tool.get("convanim", {}) if isinstance(tool, dict) else {}
    if not isinstance(table, dict):
        raise ValueError(f"{path}: [tool.convanim] must be a table of option = value")
    return table


def default_map(
    table: Mapping[str, Any], options: Mapping[str, Mapping[str, str]], source: Path = PYPROJECT
) -> dict[str, dict[str, Any]]:
    """Click's ``default_map`` from a ``[tool.convanim]`` table.

    ``options`` maps each command name to its keys (long option names, e.g. ``in-channels``) and
    the parameter each sets. A plain key applies to every command that has that option; a
    sub-table named after a command applies to that command and wins over the plain keys.
    """
    keyed = {command: _keys(names) for command, names in options.items()}
    every = {key: param for names in keyed.values() for key, param in names.items()}
    result: dict[str, dict[str, Any]] = {}
    for key, value in table.items():
        if isinstance(value, dict):
            continue
        _check_key(key, every, "[tool.convanim]", source)
        for command, names in keyed.items():
            if _key(key) in names:
                result.setdefault(command, {})[names[_key(key)]] = value
    for command, sub in table.items():
        if not isinstance(sub, dict):
            continue
        if command not in keyed:
            raise ValueError(
                f"{source}: [tool.convanim.{command}] names no command; allowed: {', '.join(sorted(keyed))}"
            )
        for key, value in sub.items():
            _check_key(key, keyed[command], f"[tool.convanim.{command}]", source)
            result.setdefault(command, {})[keyed[command][_key(key)]] = value
    return result


def _check_key(key: str, names: Mapping[str, str], table: str, source: Path) -> None:
    """Refuse a key that names no option (``names`` as ``_keys`` spells them), listing those that do."""
    if _key(key) not in names:
        raise ValueError(f"{source}: {table} has unknown option {key!r}; allowed: {', '.join(sorted(names))}")


def _keys(names: Mapping[str, str]) -> dict[str, str]:
    """``names`` keyed the way ``_key`` spells a key, so dashes and underscores both match."""
    return {_key(key): param for key, param in names.items()}


def _key(key: str) -> str:
    """One spelling for a key: ``in-channels`` and ``in_channels`` are the same option."""
    return key.replace("_", "-")
