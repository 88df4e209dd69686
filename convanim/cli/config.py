"""Command-line defaults from ``[tool.convanim]`` in the working directory's ``pyproject.toml``.

A project that keeps its figures in a repository writes its house options once::

    [tool.convanim]
    theme = "dark"            # every command that has --theme
    size = "720p"

    [tool.convanim.custom]    # one command only (wins over the shared keys)
    numbers = true

Only the command line reads this (through click's ``default_map``), and the command line wins over
it; the Python API never reads a file behind the caller's back. Keys are option names, with dashes
or underscores. A key no command knows is an error, so a typo cannot silently do nothing; so is a
value of the wrong TOML type (``hold = 1.5``, ``bias = 1``), which click would otherwise truncate,
coerce or crash on. The type each key takes follows from its option's click type.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping
from numbers import Real
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import click

from convanim.checks import is_whole

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


@runtime_checkable
class ConfigType(Protocol):
    """A click type of convanim's own that says which TOML values it takes.

    Click's own types are known here by their class; a custom type that does not implement this
    takes a string only, exactly what the command line gives it.
    """

    #: What the value must be, as the error says it: "expected <config_expected>".
    config_expected: str

    def config_accepts(self, value: Any) -> bool:
        """Whether a value read from TOML is of a kind this type converts without guessing."""


def default_map(
    table: Mapping[str, Any], options: Mapping[str, Mapping[str, click.Parameter]], source: Path = PYPROJECT
) -> dict[str, dict[str, Any]]:
    """Click's ``default_map`` from a ``[tool.convanim]`` table.

    ``options`` maps each command name to its keys (long option names, e.g. ``in-channels``) and
    the parameter each sets. A plain key applies to every command that has that option; a
    sub-table named after a command applies to that command and wins over the plain keys.
    """
    keyed = {command: _keys(params) for command, params in options.items()}
    every = {key: param for params in keyed.values() for key, param in params.items()}
    result: dict[str, dict[str, Any]] = {}
    for key, value in table.items():
        if isinstance(value, dict):
            continue
        _check_key(key, every, "[tool.convanim]", source)
        for command, params in keyed.items():
            if _key(key) in params:
                _check_value(key, value, params[_key(key)], "[tool.convanim]", source)
                result.setdefault(command, {})[_name(params[_key(key)])] = value
    for command, sub in table.items():
        if not isinstance(sub, dict):
            continue
        if command not in keyed:
            raise ValueError(
                f"{source}: [tool.convanim.{command}] names no command; allowed: {', '.join(sorted(keyed))}"
            )
        for key, value in sub.items():
            _check_key(key, keyed[command], f"[tool.convanim.{command}]", source)
            _check_value(key, value, keyed[command][_key(key)], f"[tool.convanim.{command}]", source)
            result.setdefault(command, {})[_name(keyed[command][_key(key)])] = value
    return result


def _check_key(key: str, params: Mapping[str, click.Parameter], table: str, source: Path) -> None:
    """Refuse a key that names no option (``params`` as ``_keys`` spells them), listing those that do."""
    if _key(key) not in params:
        raise ValueError(f"{source}: {table} has unknown option {key!r}; allowed: {', '.join(sorted(params))}")


def _check_value(key: str, value: Any, param: click.Parameter, table: str, source: Path) -> None:
    """Refuse a value whose TOML type the option does not take, before click truncates or crashes on it."""
    expected, accepts = _expected(param)
    if not accepts(value):
        shown = json.dumps(value, ensure_ascii=False, default=str)
        raise ValueError(f"{source}: {table} {key} = {shown}: expected {expected}")


def _expected(param: click.Parameter) -> tuple[str, Callable[[Any], bool]]:
    """What a TOML value for ``param`` must be, from its click type: the words and the test."""
    kind = param.type
    if isinstance(kind, ConfigType):
        return kind.config_expected, kind.config_accepts
    if isinstance(kind, click.types.BoolParamType):  # flags too: true or false, never 1 or "yes"
        return "true or false", lambda value: isinstance(value, bool)
    if isinstance(kind, click.types.IntParamType):  # IntRange too; click checks the range itself
        return "a whole number", is_whole
    if isinstance(kind, click.types.FloatParamType):
        return "a number", lambda value: isinstance(value, Real) and not isinstance(value, bool)
    if isinstance(kind, click.Choice):
        return f"a string, one of {', '.join(map(str, kind.choices))}", _is_text
    return "a string", _is_text  # text, a path, or any type that converts the command line's text


def _is_text(value: Any) -> bool:
    return isinstance(value, str)


def _name(param: click.Parameter) -> str:
    """The keyword a parameter passes to its command (every option has one)."""
    assert param.name is not None, param
    return param.name


def _keys(params: Mapping[str, click.Parameter]) -> dict[str, click.Parameter]:
    """``params`` keyed the way ``_key`` spells a key, so dashes and underscores both match."""
    return {_key(key): param for key, param in params.items()}


def _key(key: str) -> str:
    """One spelling for a key: ``in-channels`` and ``in_channels`` are the same option."""
    return key.replace("_", "-")
