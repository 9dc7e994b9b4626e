"""Assembly (format v2): a station that joins components into one assembled product.

A station with ``assembly: {inputs: {pcba: 1, housing: 2}, output: phone}`` takes parts of the
component products (each its own product, with its own route that ENDS at this station) into
one queue per component, and starts an operation when a full kit (the given quantity of every
input) is there. The kit's parts leave the line as components and one part of the ``output``
product (whose route STARTS at this station) continues along the output's route. The rules
the loader checks are in :func:`assembly_checks` (reported at the station's line and column).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field, StrictInt

from ._types import MODEL_CONFIG, Name

__all__ = ["Assembly", "assembly_checks", "assembly_outputs"]


class Assembly(BaseModel):
    """What an assembly station joins: ``inputs`` maps each component product to the number
    of its parts in one kit (1 to 1000); ``output`` is the assembled product."""

    model_config = MODEL_CONFIG

    inputs: Annotated[dict[Name, Annotated[StrictInt, Field(ge=1, le=1000)]], Field(min_length=1)]
    """Component product -> parts of it per assembled part (``{pcba: 1, screw_set: 4}``)."""
    output: Name
    """The product one kit becomes; its route starts at this station."""


def _stations(data: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    stations = data.get("stations")
    if not isinstance(stations, list | tuple):
        return []
    return [(i, s) for i, s in enumerate(stations) if isinstance(s, dict)]


def assembly_outputs(data: Any) -> set[str]:
    """Names of the products made by an assembly station (they are not released)."""
    if not isinstance(data, dict):
        return set()
    out: set[str] = set()
    for _, station in _stations(data):
        spec = station.get("assembly")
        if isinstance(spec, dict) and isinstance(spec.get("output"), str):
            out.add(spec["output"])
    return out


def assembly_checks(data: dict[str, Any]) -> list[Any]:
    """Cross-reference problems of the ``assembly`` keys (``Issue`` list, see checks.py).

    Every input and the output name a product; the output is not also an input; every
    component's route ends at the station and the output's route starts there; a product is
    an input of one assembly station at most and made by one at most; no ``wip_cap``
    (consumed components never depart, so a CONWIP count could not stay true).
    """
    from .checks import Issue

    out: list[Issue] = []
    products_raw = data.get("products")
    products: dict[str, tuple[int, dict[str, Any]]] = {}
    if isinstance(products_raw, list | tuple):
        for i, p in enumerate(products_raw):
            if isinstance(p, dict) and isinstance(p.get("name"), str):
                products.setdefault(p["name"], (i, p))
    every = [s.get("name") for _, s in _stations(data)]
    consumer: dict[str, str] = {}
    maker: dict[str, str] = {}
    for index, station in _stations(data):
        spec = station.get("assembly")
        if not isinstance(spec, dict):
            continue
        here: tuple[str | int, ...] = ("stations", index, "assembly")
        name = station.get("name")
        if products_raw is None:
            out.append(
                Issue(
                    here,
                    "an assembly joins products: list the components and the output under "
                    "`products` (each with its route)",
                    at_key=True,
                )
            )
            continue
        if data.get("wip_cap") is not None:
            out.append(
                Issue(
                    ("wip_cap",),
                    "wip_cap cannot be used with an assembly station (the components it "
                    "consumes never leave the line as parts); use a source, or no source",
                    at_key=True,
                )
            )
        inputs = spec.get("inputs")
        output = spec.get("output")
        known = sorted(products)
        for component in inputs if isinstance(inputs, dict) else ():
            path = (*here, "inputs", component)
            if component not in products:
                out.append(
                    Issue(
                        path,
                        f"component {component!r} is not a product (products: {', '.join(known)})",
                        at_key=True,
                    )
                )
                continue
            if component == output:
                out.append(
                    Issue(path, f"{component!r} is both an input and the output", at_key=True)
                )
                continue
            if component in consumer:
                out.append(
                    Issue(
                        path,
                        f"{component!r} is already an input of {consumer[component]!r}"
                        "; a component is joined at one assembly station",
                        at_key=True,
                    )
                )
                continue
            consumer[component] = str(name)
            p_index, product = products[component]
            route = product.get("route", every)
            if isinstance(route, list | tuple) and route and route[-1] != name:
                out.append(
                    Issue(
                        ("products", p_index, "route"),
                        f"component {component!r} is joined at {name!r}, so its route must end "
                        f"there (it ends at {route[-1]!r})",
                    )
                )
        joined = set(inputs) if isinstance(inputs, dict) else set()
        for other, (p_index, product) in products.items():
            route = product.get("route", every)
            if other in joined or other == output or not isinstance(route, list | tuple):
                continue
            if name in route:
                out.append(
                    Issue(
                        ("products", p_index, "route", route.index(name)),
                        f"{other!r} is neither an input nor the output of the assembly "
                        f"station {name!r}, so its route cannot pass through it",
                    )
                )
        if not isinstance(output, str):
            continue
        if output not in products:
            out.append(
                Issue(
                    (*here, "output"),
                    f"output {output!r} is not a product (products: {', '.join(known)})",
                )
            )
            continue
        if output in maker:
            out.append(Issue((*here, "output"), f"{output!r} is already made by {maker[output]!r}"))
            continue
        maker[output] = str(name)
        p_index, product = products[output]
        route = product.get("route", every)
        if isinstance(route, list | tuple) and route and route[0] != name:
            out.append(
                Issue(
                    ("products", p_index, "route"),
                    f"{output!r} is assembled at {name!r}, so its route must start there "
                    f"(it starts at {route[0]!r})",
                )
            )
    return out
