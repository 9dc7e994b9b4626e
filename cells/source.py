"""A source of parts: arrivals at random interarrival times, handed to the line entrance."""

from __future__ import annotations

from collections.abc import Callable

import simpy
from simpy.events import Timeout

from cells.entrance import Entrance
from cells.parts import Traffic


class Source:
    """Parts arrive one at a time; the first arrives one interarrival time after the start."""

    def __init__(
        self,
        env: simpy.Environment,
        interarrival: Callable[[], float],
        traffic: Traffic,
        entrance: Entrance,
    ) -> None:
        self.env = env
        self.interarrival = interarrival
        self.traffic = traffic
        self.entrance = entrance
        self._on_arrival = self._arrival

    def start(self) -> None:
        """Schedule the first arrival."""
        Timeout(self.env, self.interarrival()).callbacks.append(self._on_arrival)

    def _arrival(self, _event: simpy.Event) -> None:
        now = self.env.now
        self.entrance.arrive(self.traffic.new_part(now), now)
        Timeout(self.env, self.interarrival()).callbacks.append(self._on_arrival)
