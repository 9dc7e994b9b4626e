"""Fonts that show Chinese: pick a CJK-capable family when one is installed.

Qt falls back per glyph on most desktops, but not reliably offscreen or with a bare fontconfig,
where Chinese labels turn into boxes. So the app font is set explicitly: the platform's
default UI family first, then a CJK family (Noto Sans CJK SC, Source Han Sans SC, WenQuanYi,
Microsoft YaHei, PingFang SC ...) as the fallback for every glyph the first one lacks.
"""

from __future__ import annotations

from PyQt6.QtGui import QFont, QFontDatabase
from PyQt6.QtWidgets import QApplication

__all__ = ["CJK_FAMILIES", "apply_app_font", "cjk_family", "monospace_font"]

CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "Microsoft YaHei UI",
    "PingFang SC",
    "Hiragino Sans GB",
    "Noto Sans SC",
    "SimHei",
)
"""Simplified Chinese UI families, best first."""

LATIN_UI_FAMILIES = ("Noto Sans", "DejaVu Sans", "Segoe UI", "Helvetica Neue", "Arial")
MONOSPACE_FAMILIES = ("DejaVu Sans Mono", "Noto Sans Mono", "Consolas", "Menlo", "Courier New")


def _installed(candidates: tuple[str, ...]) -> list[str]:
    available = set(QFontDatabase.families())
    return [name for name in candidates if name in available]


def cjk_family() -> str | None:
    """The best installed family that has Simplified Chinese glyphs, or ``None``."""
    found = _installed(CJK_FAMILIES)
    return found[0] if found else None


def _families(first: tuple[str, ...]) -> list[str]:
    """Installed families of ``first`` in order, then the CJK fallback."""
    families = _installed(first)[:1]
    cjk = cjk_family()
    if cjk is not None:
        families.append(cjk)
    return families


def apply_app_font(app: QApplication, point_size: float = 10.0) -> QFont:
    """Set ``app``'s font: a Latin UI family with a CJK fallback (needs a QApplication)."""
    font = QFont(app.font())
    families = _families(LATIN_UI_FAMILIES)
    if families:
        font.setFamilies(families)
    font.setPointSizeF(point_size)
    app.setFont(font)
    return font


def monospace_font(point_size: float = 10.0) -> QFont:
    """A fixed-pitch font for YAML text, with the CJK family for Chinese comments and names."""
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    families = _families(MONOSPACE_FAMILIES)
    if families:
        font.setFamilies(families)
    font.setStyleHint(QFont.StyleHint.Monospace)
    font.setPointSizeF(point_size)
    return font
