"""LineLab's desktop app (``linelab-gui``): a thin PyQt6 + pyqtgraph layer over the headless core.

Everything the app shows comes from the same engine, scenario format and results as the
``linelab`` command (``simulator``, ``scenarios``); nothing below this package imports Qt.
"""

import sys

_GUI_EXTRA = ("PyQt6", "pyqtgraph", "ruamel")
"""Top-level packages of the ``gui`` extra (pyproject.toml)."""


def entry_point() -> None:
    """``linelab-gui``: start :func:`gui.app.main`, or say in one line that the ``gui`` extra is
    missing (exit 1) instead of a traceback on a machine installed without it."""
    try:
        from gui.app import entry_point as start
    except ImportError as exc:
        missing = (exc.name or "").split(".")[0]
        if missing not in _GUI_EXTRA:
            raise
        print(
            f"linelab-gui: {missing} is not installed; the desktop app needs the gui extra: "
            "python3 -m pip install 'linelab[gui]'",
            file=sys.stderr,
        )
        raise SystemExit(1) from None
    start()
