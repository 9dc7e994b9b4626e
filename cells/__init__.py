"""Equipment as discrete-event components on SimPy: stations, buffers, sources, sinks,
equipped workstations (tending, operators, failures, setups, scrap, shifts, routes), shared
resources and working calendars.

Every unit records its state time through one mechanism (:mod:`cells.stats`).
"""
