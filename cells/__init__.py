"""Equipment as discrete-event components on SimPy: stations, buffers, sources, sinks.

Every unit records its state time through one mechanism (:mod:`cells.stats`).
"""
