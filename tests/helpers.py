"""Small helpers shared by the test modules."""

from __future__ import annotations

import textwrap

import scenarios


def scenario(text: str) -> scenarios.Scenario:
    """A scenario from (indented) YAML text, the way users write them."""
    return scenarios.loads(textwrap.dedent(text))
