"""Translations of every visible string: English source text, Simplified Chinese catalogues.

Decision: Qt's own ``.ts``/``.qm`` pipeline needs ``lrelease``, which PyQt6 wheels do not ship,
so the catalogues are plain JSON files, ``gui/locale/<language>/*.json``, each mapping an English
source string to its translation (one file per area of the app, so they can grow apart). Call
:func:`tr` with the English text, at the moment the text is shown, and re-set texts in a
``retranslate()`` slot connected to :data:`notifier`'s ``changed`` signal, so that switching the
language in the menu relabels the open window at once. A test checks that every literal passed
to :func:`tr` in the ``gui`` package has a Chinese entry.

Placeholders use :meth:`str.format` names (``tr("{n} parts").format(n=3)``); a translation must
keep the same names.
"""

from __future__ import annotations

import json
import locale
import os
from functools import cache
from importlib import resources

from PyQt6.QtCore import QObject, pyqtSignal

__all__ = ["LANGUAGES", "language", "notifier", "set_language", "system_language", "tr"]

LANGUAGES: dict[str, str] = {"en": "English", "zh_CN": "简体中文"}
"""Supported languages: code -> the language's own name (as shown in the menu)."""

_current = "en"


class _Notifier(QObject):
    changed = pyqtSignal(str)
    """Emitted with the new language code after :func:`set_language` changed it."""


notifier = _Notifier()


@cache
def catalogue(lang: str) -> dict[str, str]:
    """The merged translation table of ``lang`` (empty for English, the source language)."""
    if lang == "en":
        return {}
    table: dict[str, str] = {}
    folder = resources.files("gui.locale").joinpath(lang)
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".json"):
            table.update(json.loads(entry.read_text(encoding="utf-8")))
    return table


def tr(text: str) -> str:
    """``text`` (English) in the current language; untranslated text stays English."""
    if _current == "en":
        return text
    return catalogue(_current).get(text, text)


def language() -> str:
    """The current language code (``en`` or ``zh_CN``)."""
    return _current


def set_language(lang: str) -> None:
    """Switch every later :func:`tr` to ``lang`` and tell open widgets to relabel."""
    global _current
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; known: {', '.join(LANGUAGES)}")
    if lang != _current:
        _current = lang
        notifier.changed.emit(lang)


def system_language() -> str:
    """``zh_CN`` when the system locale is Chinese (``LANG``/``LC_ALL``/``LC_MESSAGES`` or
    :func:`locale.getlocale`), else ``en``."""
    candidates = [os.environ.get(k, "") for k in ("LC_ALL", "LC_MESSAGES", "LANG")]
    candidates.append(locale.getlocale()[0] or "")
    for value in candidates:
        if value:
            return "zh_CN" if value.lower().startswith("zh") else "en"
    return "en"
