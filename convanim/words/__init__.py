"""The words figures say, in the reader's language: one catalogue per language, none in the code.

A figure asks for its text by key (``say("basics.title")``, ``say("grid.input_shape", shape="5×5")``) and
gets it in the language being spoken, which :func:`speaking` sets around the building of a
figure. The catalogues are TOML files beside this module, one per language, with the same keys
and the same ``{fields}`` in every language (a test holds them to it); formulas and numbers are
filled in by the figures and stay as they are in every language. English is the default, so a
caller that never says otherwise gets the figures' English, byte for byte.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from importlib.resources import files
from typing import Any, TypeVar

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

#: The languages figures are written in; the first is the default.
LANGUAGES = ("en", "zh")
#: What each language is called, in itself, for help texts and errors.
NAMES = {"en": "English", "zh": "中文 (Chinese, simplified)"}

T = TypeVar("T")

_spoken: ContextVar[str] = ContextVar("convanim_language", default=LANGUAGES[0])


def check_language(language: object) -> str:
    """``language`` if it is one figures are written in, else a ValueError naming those that are."""
    if language not in LANGUAGES:
        raise ValueError(f"lang: expected one of {', '.join(LANGUAGES)}, got {language!r}")
    assert isinstance(language, str)
    return language


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """Figures built inside this block say their words in ``language``."""
    token = _spoken.set(check_language(language))
    try:
        yield
    finally:
        _spoken.reset(token)


def spoken() -> str:
    """The language figures are being built in now."""
    return _spoken.get()


def in_language_now(make: Callable[[int], T]) -> Callable[[int], T]:
    """``make`` saying its words in the language spoken now, whenever it is called later: the
    steps of a long sweep are made as they are drawn, after the figure's building is over."""
    language = spoken()

    def made(index: int) -> T:
        with speaking(language):
            return make(index)

    return made


def say(key: str, /, **fields: Any) -> str:
    """The text ``key`` names, in the language spoken now, its ``{fields}`` filled in."""
    text = catalogue(spoken())[key]
    return text.format(**fields) if fields else text


@cache
def catalogue(language: str) -> dict[str, str]:
    """Every text of ``language``, keyed by its dotted name (``"basics.title"``)."""
    table = tomllib.loads(files(__name__).joinpath(f"{language}.toml").read_text(encoding="utf-8"))
    return dict(_flatten(table))


def _flatten(table: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    """A TOML table's strings under dotted keys: ``[basics] title = ...`` is ``basics.title``."""
    for key, value in table.items():
        if isinstance(value, dict):
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


#: Unicode blocks of the characters a CJK font draws and DejaVu does not: radicals to Yi
#: (ideographs, kana, CJK punctuation), Hangul, compatibility ideographs, and full-width forms.
_CJK_BLOCKS = ((0x2E80, 0xA4CF), (0xAC00, 0xD7AF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF))


#: Any character of those blocks (a regular expression: every label drawn asks, every frame).
_CJK_CHAR = re.compile("[" + "".join(f"{chr(low)}-{chr(high)}" for low, high in _CJK_BLOCKS) + "]")


def is_cjk(char: str) -> bool:
    """Whether ``char`` is Chinese, Japanese or Korean script (drawn twice a Latin letter's width)."""
    return _CJK_CHAR.match(char) is not None


def has_cjk(text: str) -> bool:
    """Whether any character of ``text`` is :func:`is_cjk`."""
    return _CJK_CHAR.search(text) is not None


def text_units(text: str) -> int:
    """How many Latin letters wide ``text`` is, roughly: a CJK character counts two. For figures
    that space their labels by length, so Chinese ones leave room too."""
    return sum(2 if is_cjk(char) else 1 for char in text)
