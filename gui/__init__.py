"""LineLab's desktop app (``linelab-gui``): a thin PyQt6 + pyqtgraph layer over the headless core.

Everything the app shows comes from the same engine, scenario format and results as the
``linelab`` command (``simulator``, ``scenarios``); nothing below this package imports Qt.
"""
