"""The table of malformed scenario files and the exact problem each must produce.

Each :class:`Case` is a file's content (text or raw bytes, or :data:`MISSING_FILE` /
:data:`DIRECTORY`) and one problem that loading it must report: the 1-based line and column,
a substring of the key path and a substring of the message. A case may produce more
problems than the one pinned here.

Used by ``tests/scenarios/test_scenario_malformed.py`` (``scenarios.load``) and reusable by
the CLI tests: :func:`materialize` writes a case to disk and returns the path to pass to
``linelab run``; every case must exit 2 with the message on stderr.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "BASE",
    "BASE_FLOW",
    "BASE_V2",
    "CASES",
    "DIRECTORY",
    "MISSING_FILE",
    "Case",
    "materialize",
]

MISSING_FILE = "<missing file>"
"""Content marker: the path does not exist."""
DIRECTORY = "<directory>"
"""Content marker: the path is a directory."""

# A valid scenario; most cases change one line of it. Line numbers are 1-based:
BASE = """\
linelab: 1
name: Two-station cell
horizon: 8 h
warmup: 30 min
replications: 5
seed: 7
source:
  interarrival: {dist: exponential, mean: 60 s}
stations:
  - name: press
    servers: 1
    process: {dist: exponential, mean: 48 s}
    buffer: 5
  - name: pack
    servers: 2
    process: {dist: uniform, low: 50 s, high: 90 s}
    buffer: 2
"""


# A valid format-v2 scenario; the v2 cases change one line of it (1-based line numbers):
BASE_V2 = """\
linelab: 2
name: CNC cell, operators
horizon: 5 d
seed: 3
calendar:
  shifts:
    - {name: early, start: "06:00", end: "14:00"}
    - {name: late, start: "14:00", end: "22:00"}
  breaks:
    - {start: "10:00", duration: 30 min}
  days: [mon, tue, wed, thu, fri, sat]
products:
  - name: housing_a
    share: 0.7
    route: [cnc, deburr, cmm]
    process: {cnc: 7 min}
  - name: housing_b
    share: 0.3
    route: [cnc, cmm]
resources:
  - name: operators
    kind: operator
    count: 2
    shifts: [early, late]
stations:
  - name: cnc
    servers: 6
    process: 8 min
    tending: {by: operators, time: 40 s}
    failures: {mtbf: 40 h, mttr: 30 min}
    setup: {matrix: {housing_a: {housing_b: 10 min}}}
    scrap: 0.02
    power: {busy: 7.5 kW, idle: 1.2 kW}
  - name: deburr
    process: 3 min
    operated_by: operators
  - name: cmm
    process: 4 min
"""

# A valid format-v2 scenario with material flow (a layout, AGVs, a conveyor); the flow cases
# change one line of it (1-based line numbers):
BASE_FLOW = """\
linelab: 2
name: CNC cell with AGVs
horizon: 8 h
layout:
  points:
    cnc_out: [0, 0]
    corner: [30, 0]
    wash_in: [30, 40]
    insp_in: [36, 40]
    pack_in: [36, 52]
  aisles:
    - [cnc_out, corner]
    - [corner, wash_in]
  one_way:
    - [wash_in, insp_in]
resources:
  - name: agv
    kind: vehicle
    count: 2
    speed: 1 m/s
    acceleration: 0.5 m/s2
    load: 10 s
    unload: 10 s
  - name: operators
    kind: operator
stations:
  - name: cnc
    servers: 4
    process: 4 min
    at: cnc_out
    transport: agv
  - name: wash
    process: 50 s
    at: wash_in
  - name: inspect
    process: 45 s
    operated_by: operators
    conveyor: {length: 12 m, speed: 0.2 m/s, spacing: 0.5 m}
  - name: pack
    process: 40 s
"""

_V2_CALENDAR = BASE_V2[BASE_V2.index("calendar:") : BASE_V2.index("products:")]
_V2_RESOURCES = BASE_V2[BASE_V2.index("resources:") : BASE_V2.index("stations:")]


# A valid format-v2 scenario with an assembly station (two components, one output); the
# assembly cases change one line of it (1-based line numbers):
BASE_ASSEMBLY = """\
linelab: 2
name: Phone assembly
horizon: 8 h
stations:
  - name: smt
    process: 30 s
  - name: cnc
    process: 20 s
  - name: join
    process: 10 s
    buffer: 5
    assembly: {inputs: {pcba: 1, housing: 1}, output: phone}
  - name: test
    process: 5 s
products:
  - {name: pcba, share: 0.5, route: [smt, join]}
  - {name: housing, share: 0.5, route: [cnc, join]}
  - {name: phone, route: [join, test]}
"""


def _sub4(old: str, new: str) -> str:
    assert BASE_ASSEMBLY.count(old) == 1, old
    return BASE_ASSEMBLY.replace(old, new)


# A valid format-v2 scenario with trays: made at 'cnc', carried as one load, baked as one
# in 'oven', opened at 'pack'; the batch cases change one line of it (1-based line numbers):
BASE_BATCH = """\
linelab: 2
name: Trays
horizon: 8 h
layout:
  points: {a: [0, 0], b: [70, 0]}
  aisles: [[a, b]]
resources:
  - {name: agv, kind: vehicle, speed: 1 m/s, load: 10 s, unload: 10 s}
stations:
  - name: cnc
    process: 1 min
    at: a
    transport: agv
    batch: 20
  - name: oven
    process: 30 min
    at: b
  - name: pack
    process: 30 s
    unbatch: true
"""


def _sub5(old: str, new: str) -> str:
    assert BASE_BATCH.count(old) == 1, old
    return BASE_BATCH.replace(old, new)


@dataclass(frozen=True)
class Case:
    """One malformed file and the problem it must produce."""

    id: str
    content: str | bytes
    line: int
    col: int
    path: str
    """Substring of the problem's path ('' matches any, including an empty path)."""
    message: str
    """Substring of the problem's message."""


def _sub(old: str, new: str) -> str:
    assert BASE.count(old) == 1, old
    return BASE.replace(old, new)


def _sub2(old: str, new: str) -> str:
    assert BASE_V2.count(old) == 1, old
    return BASE_V2.replace(old, new)


def _sub3(old: str, new: str) -> str:
    assert BASE_FLOW.count(old) == 1, old
    return BASE_FLOW.replace(old, new)


_FLOW_LAYOUT = BASE_FLOW[BASE_FLOW.index("layout:") : BASE_FLOW.index("resources:")]

_BATTERY = "    battery: {capacity: 30 kWh, use: 20 Wh/m, charge_rate: 5 kW, charger: corner}\n"
"""A valid battery line for the vehicle of BASE_FLOW (it becomes line 24)."""


def _battery(line: str) -> str:
    """BASE_FLOW with ``line`` (a battery) added to its vehicle ``agv``."""
    return _sub3("    unload: 10 s\n", "    unload: 10 s\n" + line)


def _bomb() -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 7):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    return "\n".join(lines) + "\n"


def _mapping_bomb() -> str:
    """The same bomb built from mappings and merge keys: 10 keys per level, more than 10^5 in b4."""
    keys = ", ".join(f"k{j}: x" for j in range(10))
    lines = [f"b0: &b0 {{{keys}}}"]
    for i in range(1, 6):
        refs = ", ".join(f"k{j}: *b{i - 1}" for j in range(10))
        lines.append(f"b{i}: &b{i} {{<<: *b{i - 1}, {refs}}}")
    return "\n".join(lines) + "\n"


_PROC = "    process: {dist: exponential, mean: 48 s}\n"  # line 12 of BASE


def _proc(text: str) -> str:
    return _sub(_PROC, f"    process: {text}\n")


CASES: list[Case] = [
    # --- file level: existence, size, encoding, YAML syntax --------------------------------
    Case("missing_file", MISSING_FILE, 1, 1, "", "no such file"),
    Case("directory", DIRECTORY, 1, 1, "", "is a directory"),
    Case("empty_file", "", 1, 1, "", "file is empty"),
    Case("only_comments", "# nothing yet\n\n", 1, 1, "", "file is empty"),
    Case("too_large", b"#" * (5 * 1024 * 1024 + 1), 1, 1, "", "larger than 5 MiB"),
    Case("not_utf8", b"linelab: 1\nname: caf\xe9 line\n", 2, 10, "", "not valid UTF-8"),
    Case("utf16", "linelab: 1\n".encode("utf-16"), 1, 1, "", "not valid UTF-8"),
    Case("control_char", "linelab: 1\nname: a\x07b\n", 2, 8, "", "control character U+0007"),
    Case("not_a_mapping_list", "- press\n- pack\n", 1, 1, "", "must be a mapping"),
    Case("not_a_mapping_scalar", "just text\n", 1, 1, "", "must be a mapping"),
    Case(
        "syntax_unclosed_flow",
        _proc("{dist: exponential, mean: 48 s"),
        13,
        11,
        "",
        "YAML syntax error",
    ),
    Case(
        "syntax_bad_indent", _sub("horizon: 8 h", "  horizon: 8 h"), 3, 10, "", "YAML syntax error"
    ),
    Case("syntax_tab", _sub("    servers: 1\n", "\tservers: 1\n"), 11, 1, "", "YAML syntax error"),
    Case("two_documents", BASE + "---\nname: again\n", 18, 1, "", "one YAML document"),
    Case("undefined_alias", _sub("seed: 7", "seed: *nope"), 6, 7, "", "undefined alias"),
    # --- safety: tags, alias bombs, nesting -------------------------------------------------
    Case(
        "python_object_tag",
        _sub("name: Two-station cell", 'name: !!python/object/apply:os.system ["echo hi"]'),
        2,
        7,
        "",
        "tags are not allowed",
    ),
    Case("custom_tag", _sub("buffer: 5", "buffer: !big 5"), 13, 13, "", "tags are not allowed"),
    Case("alias_bomb", _bomb(), 5, 5, "a4", "too many nodes after expanding aliases"),
    Case("alias_bomb_mappings", _mapping_bomb(), 5, 5, "b4", "aliases add more than 100000"),
    Case("deep_nesting", "linelab: " + "[" * 80 + "]" * 80 + "\n", 1, 73, "", "deeper than 64"),
    Case("recursive_alias", "linelab: &a [*a]\n", 1, 10, "", "refers to the collection"),
    # --- required keys and the format version ------------------------------------------------
    Case("missing_linelab", _sub("linelab: 1\n", ""), 1, 1, "", "missing required key 'linelab'"),
    Case(
        "version_3",
        _sub("linelab: 1", "linelab: 3"),
        1,
        10,
        "linelab",
        "unsupported format version 3; this LineLab reads versions 1 and 2",
    ),
    Case("version_text", _sub("linelab: 1", 'linelab: "1"'), 1, 10, "linelab", "the number 1"),
    Case(
        "missing_name",
        _sub("name: Two-station cell\n", ""),
        1,
        1,
        "",
        "missing required key 'name'",
    ),
    Case(
        "missing_stations", BASE.split("stations:")[0], 1, 1, "", "missing required key 'stations'"
    ),
    Case(
        "no_stations",
        BASE.split("stations:")[0] + "stations: []\n",
        9,
        11,
        "stations",
        "at least one station",
    ),
    Case(
        "stations_not_list",
        BASE.split("stations:")[0] + "stations: {press: 1}\n",
        9,
        11,
        "stations",
        "expected a list",
    ),
    Case(
        "station_not_mapping",
        BASE.split("stations:")[0] + "stations: [press]\n",
        9,
        12,
        "stations[0]",
        "expected a mapping",
    ),
    Case(
        "missing_process", _sub(_PROC, ""), 10, 5, "stations[0]", "missing required key 'process'"
    ),
    Case(
        "source_without_interarrival",
        _sub("  interarrival: {dist: exponential, mean: 60 s}\n", "  {}\n").replace(
            "source:\n  {}", "source: {}"
        ),
        7,
        9,
        "source",
        "missing required key 'interarrival'",
    ),
    # --- unknown and misspelled keys -----------------------------------------------------------
    Case(
        "misspelled_top_key",
        _sub("horizon: 8 h", "horizn: 8 h"),
        3,
        1,
        "horizn",
        "did you mean 'horizon'?",
    ),
    Case(
        "misspelled_station_key",
        _sub("servers: 1", "sever: 1"),
        11,
        5,
        "stations[0].sever",
        "unknown key 'sever'; did you mean 'servers'?",
    ),
    Case(
        "synonym_key",
        _sub("buffer: 5", "capacity: 5"),
        13,
        5,
        "stations[0].capacity",
        "did you mean 'servers'?",
    ),
    Case(
        "unknown_key_lists_valid",
        _sub("seed: 7", "seed: 7\ncolour: red"),
        7,
        1,
        "colour",
        "valid keys here: linelab, name, horizon",
    ),
    Case(
        "param_of_other_dist",
        _proc("{dist: exponential, mean: 48 s, sd: 5 s}"),
        12,
        46,
        "stations[0].process.sd",
        "unknown key 'sd'",
    ),
    Case(
        "duplicate_key",
        _sub("    servers: 1\n", "    servers: 1\n    servers: 2\n"),
        12,
        5,
        "stations[0].servers",
        "duplicate key 'servers' (first at line 11)",
    ),
    Case(
        "duplicate_station_name",
        _sub("name: pack", "name: press"),
        14,
        11,
        "stations[1].name",
        "duplicate station name 'press' (first at line 10)",
    ),
    # --- wrong types ---------------------------------------------------------------------------
    Case(
        "servers_text",
        _sub("servers: 1", 'servers: "1"'),
        11,
        14,
        "stations[0].servers",
        "remove the quotes",
    ),
    Case(
        "servers_fraction",
        _sub("servers: 1", "servers: 2.5"),
        11,
        14,
        "stations[0].servers",
        "must be a whole number, got 2.5",
    ),
    Case(
        "servers_bool",
        _sub("servers: 1", "servers: true"),
        11,
        14,
        "stations[0].servers",
        "expected a whole number, got true",
    ),
    Case(
        "name_number",
        _sub("name: press", "name: 123"),
        10,
        11,
        "stations[0].name",
        "expected text, got 123",
    ),
    Case(
        "name_empty", _sub("name: Two-station cell", 'name: ""'), 2, 7, "name", "must not be empty"
    ),
    Case("name_blank", _sub("name: press", 'name: "   "'), 10, 11, "stations[0].name", "blank"),
    Case(
        "horizon_bool",
        _sub("horizon: 8 h", "horizon: yes please"),
        3,
        10,
        "horizon",
        "expected a duration like '45 s' or a number of seconds, got 'yes please'",
    ),
    Case(
        "horizon_true",
        _sub("horizon: 8 h", "horizon: true"),
        3,
        10,
        "horizon",
        "expected a duration",
    ),
    Case(
        "process_list", _proc("[48, 50]"), 12, 14, "stations[0].process", "expected a distribution"
    ),
    Case(
        "cv_with_unit",
        _proc("{dist: lognormal, mean: 48 s, cv: 0.5 s}"),
        12,
        48,
        "stations[0].process.cv",
        "expected a number",
    ),
    Case(
        "huge_integer",
        _sub("buffer: 5", "buffer: " + "9" * 60),
        13,
        13,
        "stations[0].buffer",
        "far too large",
    ),
    Case(
        "key_not_text",
        _sub("seed: 7", "seed: 7\n? [a, b]\n: 1"),
        7,
        3,
        "",
        "key must be plain text",
    ),
    # --- bounds: zero, negative, NaN, infinite, absurd ------------------------------------------
    Case(
        "servers_zero",
        _sub("servers: 1", "servers: 0"),
        11,
        14,
        "stations[0].servers",
        "must be >= 1, got 0",
    ),
    Case(
        "servers_absurd",
        _sub("servers: 1", "servers: 20000"),
        11,
        14,
        "stations[0].servers",
        "must be <= 10000, got 20000",
    ),
    Case(
        "buffer_negative",
        _sub("buffer: 5", "buffer: -3"),
        13,
        13,
        "stations[0].buffer",
        "must be >= 0, got -3",
    ),
    Case(
        "buffer_absurd",
        _sub("buffer: 5", "buffer: 5000000"),
        13,
        13,
        "stations[0].buffer",
        "must be <= 1000000",
    ),
    Case(
        "replications_zero",
        _sub("replications: 5", "replications: 0"),
        5,
        15,
        "replications",
        "must be >= 1, got 0",
    ),
    Case("seed_negative", _sub("seed: 7", "seed: -1"), 6, 7, "seed", "must be >= 0, got -1"),
    Case(
        "seed_too_big",
        _sub("seed: 7", f"seed: {2**63}"),
        6,
        7,
        "seed",
        "must be <= 9223372036854775807",
    ),
    Case(
        "wip_cap_zero",
        _sub("seed: 7", "seed: 7\nwip_cap: 0"),
        7,
        10,
        "wip_cap",
        "must be >= 1, got 0",
    ),
    Case(
        "horizon_zero", _sub("horizon: 8 h", "horizon: 0"), 3, 10, "horizon", "must be > 0, got 0"
    ),
    Case(
        "horizon_negative",
        _sub("horizon: 8 h", "horizon: -8 h"),
        3,
        10,
        "horizon",
        "must be > 0, got '-8 h'",
    ),
    Case(
        "horizon_nan",
        _sub("horizon: 8 h", "horizon: .nan"),
        3,
        10,
        "horizon",
        "must be a finite duration, got .nan",
    ),
    Case("horizon_inf", _sub("horizon: 8 h", "horizon: .inf"), 3, 10, "horizon", "finite"),
    Case(
        "horizon_absurd",
        _sub("horizon: 8 h", "horizon: 1e12"),
        3,
        10,
        "horizon",
        "at most 1e9 s (about 31 years)",
    ),
    Case(
        "horizon_plus_warmup",
        _sub("horizon: 8 h", "horizon: 9e8").replace("warmup: 30 min", "warmup: 2e8"),
        3,
        10,
        "horizon",
        "warmup + horizon must be at most 1e9 s",
    ),
    Case(
        "warmup_negative", _sub("warmup: 30 min", "warmup: -1 min"), 4, 9, "warmup", "must be >= 0"
    ),
    Case(
        "cv_nan",
        _proc("{dist: lognormal, mean: 48 s, cv: .nan}"),
        12,
        48,
        "stations[0].process.cv",
        "finite",
    ),
    # --- units ----------------------------------------------------------------------------------
    Case(
        "bad_unit",
        _sub("horizon: 8 h", "horizon: 8 hourz"),
        3,
        10,
        "horizon",
        "did you mean 'hour'?",
    ),
    Case("unit_m", _sub("warmup: 30 min", "warmup: 30 m"), 4, 9, "warmup", "did you mean 'min'?"),
    Case(
        "unit_in_dist",
        _proc("{dist: exponential, mean: 48 secz}"),
        12,
        40,
        "stations[0].process.mean",
        "did you mean 'sec'?",
    ),
    # --- distributions ------------------------------------------------------------------------
    Case(
        "unknown_dist",
        _proc("{dist: expo, mean: 48 s}"),
        12,
        21,
        "stations[0].process.dist",
        "unknown distribution 'expo'; did you mean 'exponential'?",
    ),
    Case(
        "missing_dist",
        _proc("{mean: 48 s}"),
        12,
        14,
        "stations[0].process",
        "missing required key 'dist'",
    ),
    Case(
        "missing_param",
        _proc("{dist: normal, mean: 48 s}"),
        12,
        14,
        "stations[0].process",
        "missing required key 'sd'",
    ),
    Case(
        "exponential_mean_zero",
        _proc("{dist: exponential, mean: 0}"),
        12,
        40,
        "stations[0].process.mean",
        "must be > 0, got 0",
    ),
    Case(
        "normal_sd_negative",
        _proc("{dist: normal, mean: 48 s, sd: -2 s}"),
        12,
        45,
        "stations[0].process.sd",
        "must be >= 0",
    ),
    Case(
        "lognormal_cv_zero",
        _proc("{dist: lognormal, mean: 48 s, cv: 0}"),
        12,
        48,
        "stations[0].process.cv",
        "must be > 0, got 0",
    ),
    Case(
        "uniform_reversed",
        _proc("{dist: uniform, low: 60 s, high: 50 s}"),
        12,
        47,
        "stations[0].process.high",
        "must be >= low (60 s), got 50 s",
    ),
    Case(
        "uniform_negative",
        _proc("{dist: uniform, low: -1 s, high: 50 s}"),
        12,
        35,
        "stations[0].process.low",
        "must be >= 0",
    ),
    Case(
        "triangular_mode_outside",
        _proc("{dist: triangular, low: 1, mode: 9, high: 5}"),
        12,
        47,
        "stations[0].process.mode",
        "must be between low",
    ),
    Case(
        "triangular_degenerate",
        _proc("{dist: triangular, low: 5, mode: 5, high: 5}"),
        12,
        56,
        "stations[0].process.high",
        "must be > low",
    ),
    Case(
        "empirical_empty",
        _proc("{dist: empirical, values: []}"),
        12,
        40,
        "stations[0].process.values",
        "at least one value",
    ),
    Case(
        "empirical_negative",
        _proc("{dist: empirical, values: [40 s, -2 s]}"),
        12,
        47,
        "stations[0].process.values[1]",
        "must be >= 0",
    ),
    Case("constant_negative", _proc("-5 s"), 12, 14, "stations[0].process", "must be >= 0"),
    Case("process_zero_mean", _proc("0"), 12, 14, "stations[0].process", "mean > 0"),
    Case(
        "interarrival_zero",
        _sub("interarrival: {dist: exponential, mean: 60 s}", "interarrival: 0 s"),
        8,
        17,
        "source.interarrival",
        "mean > 0",
    ),
    # --- format v2 keys in a v1 file ---------------------------------------------------------
    Case(
        "v1_with_v2_station_key",
        _sub("    buffer: 5\n", "    buffer: 5\n    scrap: 0.02\n"),
        14,
        5,
        "stations[0].scrap",
        "'scrap' needs linelab: 2",
    ),
    Case(
        "v1_with_resources",
        _sub("stations:\n", "resources: [{name: ops, kind: operator}]\nstations:\n"),
        9,
        1,
        "resources",
        "'resources' needs linelab: 2",
    ),
    Case(
        "v1_with_time_model",
        _proc("{model: molding}"),
        12,
        15,
        "stations[0].process.model",
        "a process-time model needs linelab: 2",
    ),
    # --- format v2 (BASE_V2): cross-references, calendar, power, equipment ----------------
    Case(
        "v2_unknown_tending_resource",
        _sub2("{by: operators, time", "{by: operatrs, time"),
        29,
        19,
        "stations[0].tending.by",
        "unknown resource 'operatrs' in tending.by; did you mean 'operators'?",
    ),
    Case(
        "v2_unknown_operated_by",
        _sub2("operated_by: operators\n", "operated_by: robot\n"),
        36,
        18,
        "stations[1].operated_by",
        "unknown resource 'robot'",
    ),
    Case(
        "v2_unknown_repair_by",
        _sub2("mttr: 30 min}", "mttr: 30 min, repair_by: maintenance}"),
        30,
        53,
        "stations[0].failures.repair_by",
        "unknown resource 'maintenance'",
    ),
    Case(
        "v2_route_missing_station",
        _sub2("route: [cnc, cmm]", "route: [cnc, cmm, pack]"),
        19,
        23,
        "products[1].route[2]",
        "route goes through 'pack', which is not a station",
    ),
    Case(
        "v2_product_name_mapping",  # crashed the share check (unhashable dict) before the fix
        _sub2("  - name: housing_b\n", "  - name: {x: 1}\n"),
        17,
        11,
        "products[1].name",
        "expected text, got a mapping",
    ),
    Case(
        "v2_routes_start_apart",
        _sub2("route: [cnc, cmm]", "route: [deburr, cmm]"),
        19,
        13,
        "products[1].route[0]",
        "every route must start at the same station (add a source, or a wip_cap)",
    ),
    Case(
        "v2_resource_shifts_empty",
        _sub2("shifts: [early, late]", "shifts: []"),
        24,
        13,
        "resources[0].shifts",
        "needs at least one shift; omit 'shifts' to work around the clock",
    ),
    Case(
        "v2_setup_empty",
        _sub2("setup: {matrix: {housing_a: {housing_b: 10 min}}}", "setup: {}"),
        31,
        12,
        "stations[0].setup",
        "expected a setup time such as '12 min'",
    ),
    Case(
        "v2_route_empty",
        _sub2("route: [cnc, cmm]", "route: []"),
        19,
        12,
        "products[1].route",
        "empty route",
    ),
    Case(
        "v2_route_twice",
        _sub2("route: [cnc, cmm]", "route: [cnc, cmm, cnc]"),
        19,
        23,
        "products[1].route[2]",
        "visits 'cnc' twice",
    ),
    Case(
        "v2_shares_sum",
        _sub2("share: 0.3", "share: 0.2"),
        12,
        1,
        "products",
        "shares must sum to 1, got 0.9",
    ),
    Case(
        "v2_share_percent",
        _sub2("share: 0.3", "share: 30"),
        18,
        12,
        "products[1].share",
        "must be <= 1, got 30; a share is a fraction",
    ),
    Case(
        "v2_mtbf_negative",
        _sub2("mtbf: 40 h", "mtbf: -40 h"),
        30,
        22,
        "stations[0].failures.mtbf",
        "must be > 0, got '-40 h'",
    ),
    Case(
        "v2_mttr_zero",
        _sub2("mttr: 30 min", "mttr: 0"),
        30,
        34,
        "stations[0].failures.mttr",
        "must be > 0, got 0",
    ),
    Case(
        "v2_scrap_one",
        _sub2("scrap: 0.02", "scrap: 1"),
        32,
        12,
        "stations[0].scrap",
        "must be < 1, got 1; scrap is a probability",
    ),
    Case(
        "v2_scrap_negative",
        _sub2("scrap: 0.02", "scrap: -0.1"),
        32,
        12,
        "stations[0].scrap",
        "must be >= 0, got -0.1",
    ),
    Case(
        "v2_time_of_day_25",
        _sub2('end: "22:00"', 'end: "25:00"'),
        8,
        41,
        "calendar.shifts[1].end",
        "impossible time of day '25:00'",
    ),
    Case(
        "v2_time_of_day_minutes",
        _sub2('start: "10:00"', 'start: "10:75"'),
        10,
        15,
        "calendar.breaks[0].start",
        "impossible time of day '10:75'",
    ),
    Case(
        "v2_time_of_day_number",
        _sub2('start: "06:00"', 'start: 6'),
        7,
        28,
        "calendar.shifts[0].start",
        "write '06:00'",
    ),
    Case(
        "v2_power_unknown_state",
        _sub2("idle: 1.2 kW", "running: 1.2 kW"),
        33,
        27,
        "stations[0].power.running",
        "unknown power state 'running'",
    ),
    Case(
        "v2_power_energy_unit",
        _sub2("busy: 7.5 kW", "busy: 7.5 kWh"),
        33,
        19,
        "stations[0].power.busy",
        "is an energy, but a power is asked here",
    ),
    Case(
        "v2_power_negative",
        _sub2("idle: 1.2 kW", "idle: -1 kW"),
        33,
        33,
        "stations[0].power.idle",
        "must be >= 0",
    ),
    Case(
        "v2_resource_count_zero",
        _sub2("count: 2", "count: 0"),
        23,
        12,
        "resources[0].count",
        "must be >= 1, got 0",
    ),
    Case(
        "v2_unknown_shift",
        _sub2("shifts: [early, late]", "shifts: [early, lat]"),
        24,
        21,
        "resources[0].shifts[1]",
        "unknown shift 'lat'; did you mean 'late'?",
    ),
    Case(
        "v2_station_unknown_shift",
        _sub2("    operated_by: operators\n", "    operated_by: operators\n    shifts: [night]\n"),
        37,
        14,
        "stations[1].shifts[0]",
        "unknown shift 'night'",
    ),
    Case(
        "v2_break_unknown_shift",
        _sub2("duration: 30 min}", "duration: 30 min, shifts: [erly]}"),
        10,
        51,
        "calendar.breaks[0].shifts[0]",
        "unknown shift 'erly'; did you mean 'early'?",
    ),
    Case(
        "v2_duplicate_resource",
        _sub2("stations:\n", "  - {name: operators, kind: robot}\nstations:\n"),
        25,
        12,
        "resources[1].name",
        "duplicate resource name 'operators' (first at line 21)",
    ),
    Case(
        "v2_duplicate_product",
        _sub2("  - name: housing_b", "  - name: housing_a"),
        17,
        11,
        "products[1].name",
        "duplicate product name 'housing_a' (first at line 13)",
    ),
    Case(
        "v2_duplicate_shift",
        _sub2("{name: late,", "{name: early,"),
        8,
        14,
        "calendar.shifts[1].name",
        "duplicate shift name 'early' (first at line 7)",
    ),
    Case(
        "v2_unknown_resource_kind",
        _sub2("kind: operator", "kind: human"),
        22,
        11,
        "resources[0].kind",
        "unknown resource kind 'human'; did you mean 'operator'?",
    ),
    Case(
        "v2_vehicle_without_speed",
        _sub2("kind: operator", "kind: vehicle"),
        21,
        5,
        "resources[0]",
        "missing required key 'speed': a vehicle needs a speed (such as 1 m/s)",
    ),
    Case(
        "v2_matrix_unknown_product",
        _sub2("{housing_b: 10 min}", "{housing_c: 10 min}"),
        31,
        34,
        "stations[0].setup.matrix.housing_a.housing_c",
        "unknown product 'housing_c' in the changeover matrix",
    ),
    Case(
        "v2_matrix_unknown_from",
        _sub2("{housing_a: {", "{housing_x: {"),
        31,
        22,
        "stations[0].setup.matrix.housing_x",
        "unknown product 'housing_x'",
    ),
    Case(
        "v2_matrix_self",
        _sub2("{housing_b: 10 min}", "{housing_a: 10 min}"),
        31,
        34,
        "stations[0].setup.matrix.housing_a.housing_a",
        "to itself",
    ),
    Case(
        "v2_process_unknown_station",
        _sub2("process: {cnc: 7 min}", "process: {cnc: 7 min, cmn: 2 min}"),
        16,
        27,
        "products[0].process.cmn",
        "not a station; did you mean 'cnc'?",
    ),
    Case(
        "v2_process_off_route",
        _sub2("    share: 0.3\n", "    share: 0.3\n    process: {deburr: 1 min}\n"),
        19,
        15,
        "products[1].process.deburr",
        "not on this product's route",
    ),
    Case(
        "v2_tending_and_operated",
        _sub2("  - name: cmm\n", "    tending: {by: operators, time: 5 s}\n  - name: cmm\n"),
        36,
        5,
        "stations[1].operated_by",
        "either tended",
    ),
    Case(
        "v2_unknown_day",
        _sub2("days: [mon,", "days: [monday,"),
        11,
        10,
        "calendar.days[0]",
        "unknown day 'monday'; did you mean 'mon'?",
    ),
    Case(
        "v2_day_twice",
        _sub2("thu, fri, sat]", "thu, fri, fri]"),
        11,
        35,
        "calendar.days[5]",
        "day 'fri' is listed twice",
    ),
    Case(
        "v2_failure_basis",
        _sub2("mttr: 30 min}", "mttr: 30 min, basis: calender}"),
        30,
        49,
        "stations[0].failures.basis",
        "did you mean 'calendar'?",
    ),
    Case(
        "v2_unknown_time_model",
        _sub2("process: 3 min", "process: {model: lathe_program}"),
        35,
        22,
        "stations[1].process.model",
        "unknown time model 'lathe_program'",
    ),
    Case(
        "v2_no_resources",
        _sub2(_V2_RESOURCES, ""),
        24,
        19,
        "stations[0].tending.by",
        "the scenario has no 'resources'",
    ),
    Case(
        "v2_no_calendar",
        _sub2(_V2_CALENDAR, ""),
        17,
        14,
        "resources[0].shifts[0]",
        "the scenario has no 'calendar'",
    ),
    Case(
        "v2_products_empty",
        _sub2("products:\n  - name: housing_a", "products: []\nold_products:\n  - name: housing_a"),
        12,
        11,
        "products",
        "needs at least one product",
    ),
    Case(
        "v2_setup_negative",
        _sub2("setup: {matrix: {housing_a: {housing_b: 10 min}}}", "setup: -5 min"),
        31,
        12,
        "stations[0].setup",
        "must be >= 0",
    ),
    Case(
        "v2_tending_time_zero",
        _sub2("time: 40 s", "time: 0 s"),
        29,
        36,
        "stations[0].tending.time",
        "tending time must have a mean > 0",
    ),
    # --- names: no control or invisible characters, no dots in element names ---------------
    Case(
        "station_name_newline",
        _sub("name: press", 'name: "pre\\nss"'),
        10,
        11,
        "stations[0].name",
        "contains U+000A LINE FEED (a control character)",
    ),
    Case(
        "station_name_tab",
        _sub("name: press", 'name: "pre\\tss"'),
        10,
        11,
        "stations[0].name",
        "contains U+0009 TAB (a control character)",
    ),
    Case(
        "scenario_name_escape_sequence",
        _sub("name: Two-station cell", 'name: "\\e[31mred\\e[0m"'),
        2,
        7,
        "name",
        "contains U+001B ESCAPE (a control character)",
    ),
    Case(
        "scenario_name_next_line",
        _sub("name: Two-station cell", 'name: "cell\\N"'),
        2,
        7,
        "name",
        "contains U+0085 NEXT LINE (a control character)",
    ),
    Case(
        "station_name_zero_width_space_only",
        _sub("name: press", "name: \u200b"),
        10,
        11,
        "stations[0].name",
        "contains U+200B ZERO WIDTH SPACE (invisible)",
    ),
    Case(
        "station_name_zero_width_joiner_in_word",
        _sub("name: press", 'name: "pr\\u200dess"'),
        10,
        11,
        "stations[0].name",
        "contains U+200D ZERO WIDTH JOINER (invisible)",
    ),
    Case(
        "scenario_name_bom",
        _sub("name: Two-station cell", 'name: "\\ufeffTwo-station cell"'),
        2,
        7,
        "name",
        "contains U+FEFF ZERO WIDTH NO-BREAK SPACE (invisible)",
    ),
    Case(
        "station_name_bidi_override",
        _sub("name: pack", 'name: "kcap\\u202e"'),
        14,
        11,
        "stations[1].name",
        "contains U+202E RIGHT-TO-LEFT OVERRIDE (invisible)",
    ),
    Case(
        "station_name_hangul_filler",
        _sub("name: press", 'name: "\\u3164"'),
        10,
        11,
        "stations[0].name",
        "contains U+3164 HANGUL FILLER (invisible)",
    ),
    Case(
        "station_name_combining_mark_only",
        _sub("name: press", 'name: "\\u0301"'),
        10,
        11,
        "stations[0].name",
        "has no visible character",
    ),
    Case(
        "scenario_name_line_separator",
        _sub("name: Two-station cell", 'name: "Two-station\\Lcell"'),
        2,
        7,
        "name",
        "contains U+2028 LINE SEPARATOR (a line break)",
    ),
    Case(
        "station_name_no_break_space",
        _sub("name: pack", 'name: "pa\\_ck"'),
        14,
        11,
        "stations[1].name",
        "contains U+00A0 NO-BREAK SPACE (an unusual space); use a plain space",
    ),
    Case(
        "station_name_trailing_space",
        _sub("name: press", 'name: "press "'),
        10,
        11,
        "stations[0].name",
        "must not start or end with a space",
    ),
    Case(
        "station_name_dot",
        _sub("name: press", "name: press.1"),
        10,
        11,
        "stations[0].name",
        "must not contain '.', which separates the steps of a path such as "
        "stations.press.buffer; use '_' or '-'",
    ),
    Case(
        "key_escape_sequence",  # reported with the escape written out, not sent to the terminal
        _sub("seed: 7", 'seed: 7\n"\\e[31mred\\e[0m": 1'),
        7,
        1,
        "",
        "unknown key '",
    ),
    # --- microscopic times: a positive time below 1 microsecond is a typo -------------------
    Case(
        "process_microscopic",
        _proc("1e-300 s"),
        12,
        14,
        "stations[0].process",
        "is below 1e-6 s (1 microsecond), got '1e-300 s'",
    ),
    Case(
        "interarrival_subnormal",
        _sub("interarrival: {dist: exponential, mean: 60 s}", "interarrival: 5e-324"),
        8,
        17,
        "source.interarrival",
        "is below 1e-6 s (1 microsecond)",
    ),
    Case(
        "empirical_microscopic_value",
        _proc("{dist: empirical, values: [0, 0, 1e-9]}"),
        12,
        47,
        "stations[0].process.values[2]",
        "is below 1e-6 s (1 microsecond), got 1e-09",
    ),
    Case(
        "empirical_microscopic_mean",
        _proc("{dist: empirical, values: [0, 0, 0.000002]}"),
        12,
        14,
        "stations[0].process",
        "process time must have a mean of at least 1e-6 s (1 microsecond), got a mean of "
        "6.66667e-07 s",
    ),
    Case(
        "uniform_microscopic_mean",
        _sub(
            "interarrival: {dist: exponential, mean: 60 s}",
            "interarrival: {dist: uniform, low: 0, high: 1e-6}",
        ),
        8,
        17,
        "source.interarrival",
        "interarrival time must have a mean of at least 1e-6 s",
    ),
    Case(
        "normal_sd_microscopic",
        _proc("{dist: normal, mean: 48 s, sd: 1e-9 s}"),
        12,
        45,
        "stations[0].process.sd",
        "is below 1e-6 s (1 microsecond), got '1e-9 s'",
    ),
    Case(
        "warmup_microscopic",
        _sub("warmup: 30 min", "warmup: 1e-9"),
        4,
        9,
        "warmup",
        "is below 1e-6 s (1 microsecond)",
    ),
    Case(
        "duration_text_underflows",
        _proc("1e-400 s"),
        12,
        14,
        "stations[0].process",
        "is too close to 0 to be represented, got '1e-400 s'",
    ),
    Case(
        "number_underflows",
        _proc("{dist: normal, mean: 48 s, sd: 1e-400}"),
        12,
        45,
        "stations[0].process.sd",
        "number is too close to 0 to be represented, got 1e-400",
    ),
    # --- horizons that cannot be measured ---------------------------------------------------
    Case(
        "horizon_below_1_ms",
        _sub("horizon: 8 h", "horizon: 0.5 ms"),
        3,
        10,
        "horizon",
        "must be at least 1 ms (0.001 s), got 0.0005 s",
    ),
    Case(
        "horizon_lost_after_warmup",
        _sub("horizon: 8 h", "horizon: 1e-9").replace("warmup: 30 min", "warmup: 1e8"),
        3,
        10,
        "horizon",
        "is below 1e-6 s (1 microsecond)",
    ),
    Case(
        "horizon_too_short_for_warmup",
        _sub("horizon: 8 h", "horizon: 0.01 s").replace("warmup: 30 min", "warmup: 1e8"),
        3,
        10,
        "horizon",
        "must be at least a billionth of the warm-up (0.1 s after a warm-up of 1e+08 s), "
        "got 0.01 s",
    ),
    # --- CONWIP ------------------------------------------------------------------------------
    Case(
        "wip_cap_absurd",
        _sub("seed: 7", "seed: 7\nwip_cap: 1000000000000"),
        7,
        10,
        "wip_cap",
        "must be <= 1000000, got 1000000000000",
    ),
    # --- material flow (BASE_FLOW): layout, vehicles, conveyors ------------------------------
    Case(
        "flow_aisle_unknown_point",
        _sub3("- [corner, wash_in]", "- [corner, wash_inn]"),
        13,
        16,
        "layout.aisles[1][1]",
        "the aisle goes to 'wash_inn', which is not a point of the layout; "
        "did you mean 'wash_in'?",
    ),
    Case(
        "flow_station_at_unknown_point",
        _sub3("at: wash_in", "at: wash"),
        34,
        9,
        "stations[1].at",
        "the station stands at 'wash', which is not a point of the layout; "
        "did you mean 'wash_in'?",
    ),
    Case(
        "flow_no_path_between_stations",  # both ends named
        _sub3("    - [corner, wash_in]\n", ""),
        30,
        16,
        "stations[0].transport",
        "no path along the aisles from 'cnc_out' (station 'cnc') to 'wash_in' "
        "(station 'wash'), which exchange parts by vehicle",
    ),
    Case(
        "flow_one_way_no_way_back",  # the empty trip back is checked too
        _sub3("    at: wash_in\n", "    at: wash_in\n    transport: agv\n").replace(
            "    process: 45 s\n", "    process: 45 s\n    at: insp_in\n"
        ),
        17,
        11,
        "resources[0].name",
        "vehicle 'agv' cannot drive from 'insp_in' (where it delivers to station 'inspect') "
        "to 'cnc_out' (where it picks up at station 'cnc'): no path along the aisles",
    ),
    Case(
        "flow_vehicle_speed_zero",
        _sub3("speed: 1 m/s", "speed: 0 m/s"),
        20,
        12,
        "resources[0].speed",
        "a vehicle speed must be > 0",
    ),
    Case(
        "flow_acceleration_in_speed_units",
        _sub3("acceleration: 0.5 m/s2", "acceleration: 0.5 m/s"),
        21,
        19,
        "resources[0].acceleration",
        "'0.5 m/s' is a speed, but an acceleration is asked here; write '0.5 m/s2'",
    ),
    Case(
        "flow_speed_in_time_units",
        _sub3("speed: 1 m/s", "speed: 1 s"),
        20,
        12,
        "resources[0].speed",
        "'1 s' is a time, but a speed is asked here; write '1 m/s', '60 m/min'",
    ),
    Case(
        "flow_speed_unknown_unit",
        _sub3("speed: 1 m/s", "speed: 1 mps"),
        20,
        12,
        "resources[0].speed",
        "unknown speed unit 'mps' in '1 mps' (use m/s, m/min, km/h, mm/s)",
    ),
    Case(
        "flow_transport_unknown_vehicle",
        _sub3("transport: agv", "transport: agvs"),
        31,
        16,
        "stations[0].transport",
        "unknown vehicle 'agvs'; did you mean 'agv'? (vehicles: agv)",
    ),
    Case(
        "flow_transport_by_operator",
        _sub3("transport: agv", "transport: operators"),
        31,
        16,
        "stations[0].transport",
        "'operators' is an operator, not a vehicle: transport needs a resource of kind "
        "vehicle (vehicles: agv)",
    ),
    Case(
        "flow_transport_without_at",
        _sub3("    at: cnc_out\n", ""),
        30,
        16,
        "stations[0].transport",
        "transport from station 'cnc', which has no place on the floor: add 'at: <point>'",
    ),
    Case(
        "flow_next_station_without_at",
        _sub3("    at: wash_in\n", ""),
        31,
        16,
        "stations[0].transport",
        "parts go by vehicle from 'cnc' to station 'wash', which has no place on the floor: "
        "add 'at: <point>' to station 'wash'",
    ),
    Case(
        "flow_transport_and_conveyor",
        _sub3("    operated_by: operators\n", "    operated_by: operators\n    transport: agv\n"),
        39,
        5,
        "stations[2].conveyor",
        "a station's parts leave either by vehicle (transport) or on a belt (conveyor), "
        "not both",
    ),
    Case(
        "flow_conveyor_shorter_than_spacing",
        _sub3("length: 12 m", "length: 0.3 m"),
        38,
        56,
        "stations[2].conveyor.spacing",
        "the conveyor (0.3 m) is shorter than its spacing (0.5 m)",
    ),
    Case(
        "flow_conveyor_negative_length",
        _sub3("length: 12 m", "length: -12 m"),
        38,
        24,
        "stations[2].conveyor.length",
        "must be >= 0 (a length is never negative), got '-12 m'",
    ),
    Case(
        "flow_conveyor_speed_zero",
        _sub3("speed: 0.2 m/s", "speed: 0"),
        38,
        37,
        "stations[2].conveyor.speed",
        "a conveyor speed must be > 0",
    ),
    Case(
        "flow_conveyor_on_last_station",
        _sub3(
            "    process: 40 s\n",
            "    process: 40 s\n    conveyor: {length: 3 m, speed: 1, spacing: 1}\n",
        ),
        41,
        5,
        "stations[3].conveyor",
        "station 'pack' is the last station of every route through it",
    ),
    Case(
        "flow_point_three_values",
        _sub3("corner: [30, 0]", "corner: [30, 0, 0]"),
        7,
        13,
        "layout.points.corner",
        "a point is an (x, y) pair of numbers in metres, such as [12.5, 4], got a list of 3",
    ),
    Case(
        "flow_point_with_units",
        _sub3("corner: [30, 0]", "corner: [30 m, 0]"),
        7,
        13,
        "layout.points.corner",
        "write plain numbers of metres without units, got '30 m'",
    ),
    Case(
        "flow_point_scalar",
        _sub3("corner: [30, 0]", "corner: 30"),
        7,
        13,
        "layout.points.corner",
        "a point is an (x, y) pair of numbers in metres, such as [12.5, 4], got 30",
    ),
    Case(
        "flow_aisle_to_itself",
        _sub3("- [corner, wash_in]", "- [corner, corner]"),
        13,
        7,
        "layout.aisles[1]",
        "an aisle from 'corner' to itself goes nowhere",
    ),
    Case(
        "flow_aisle_with_options",
        _sub3("- [corner, wash_in]", "- [corner, wash_in, {one_way: true}]"),
        13,
        7,
        "layout.aisles[1]",
        "list a one-way aisle under 'layout.one_way' as [from, to] instead",
    ),
    Case(
        "flow_vehicle_without_speed",
        _sub3("    speed: 1 m/s\n", ""),
        17,
        5,
        "resources[0]",
        "missing required key 'speed'",
    ),
    Case(
        "flow_vehicle_key_on_operator",
        _sub3("    kind: operator\n", "    kind: operator\n    speed: 1.2 m/s\n"),
        26,
        5,
        "resources[1].speed",
        "'speed' is a key of vehicles (kind: vehicle), not of an operator",
    ),
    Case(
        "flow_park_unknown_point",
        _sub3("    unload: 10 s\n", "    unload: 10 s\n    park: home\n"),
        24,
        11,
        "resources[0].park",
        "the vehicle parks at 'home', which is not a point of the layout",
    ),
    Case(
        "flow_at_without_layout",
        _sub3(_FLOW_LAYOUT, ""),
        18,
        9,
        "stations[0].at",
        "the station stands at 'cnc_out', but the scenario has no 'layout'",
    ),
    Case(
        "flow_tending_by_vehicle",
        _sub3(
            "    process: 40 s\n", "    process: 40 s\n    tending: {by: agv, time: 20 s}\n"
        ),
        41,
        19,
        "stations[3].tending.by",
        "'agv' is a vehicle: it carries parts (transport) but cannot tend a machine",
    ),
    Case(
        "flow_vehicle_capacity_zero",
        _sub3("    count: 2\n", "    count: 2\n    capacity: 0\n"),
        20,
        15,
        "resources[0].capacity",
        "must be >= 1, got 0",
    ),
    Case(
        "flow_dispatch_unknown",
        _sub3("    count: 2\n", "    count: 2\n    dispatch: nearst\n"),
        20,
        15,
        "resources[0].dispatch",
        "must be 'oldest' or 'nearest', got 'nearst'; did you mean 'nearest'?",
    ),
    Case(
        "flow_load_negative",
        _sub3("    load: 10 s", "    load: -10 s"),
        22,
        11,
        "resources[0].load",
        "must be >= 0, got '-10 s'",
    ),
    Case(
        "flow_kind_agv",
        _sub3("kind: vehicle", "kind: agv"),
        18,
        11,
        "resources[0].kind",
        "unknown resource kind 'agv'; did you mean 'vehicle'?",
    ),
    Case(
        "flow_key_synonym_velocity",
        _sub3("    speed: 1 m/s\n", "    velocity: 1 m/s\n"),
        20,
        5,
        "resources[0].velocity",
        "unknown key 'velocity'; did you mean 'speed'?",
    ),
    Case(
        "flow_points_empty",
        _sub3(_FLOW_LAYOUT, "layout:\n  points: {}\n"),
        5,
        11,
        "layout.points",
        "needs at least one point",
    ),
    Case(
        "flow_v1_with_layout",
        _sub3("linelab: 2", "linelab: 1"),
        4,
        1,
        "layout",
        "'layout' needs linelab: 2",
    ),
    # walking (issue 8, item 4)
    Case(
        "walk_station_without_at",
        _sub3("    kind: operator\n", "    kind: operator\n    walk: {speed: 1 m/s}\n"),
        38,
        18,
        "stations[2].operated_by",
        "'operators' walks between the stations it serves, but station 'inspect' has no place",
    ),
    Case(
        "walk_speed_zero",
        _sub3("    kind: operator\n", "    kind: operator\n    walk: {speed: 0 m/s}\n"),
        26,
        19,
        "resources[1].walk.speed",
        "the walking speed must be > 0",
    ),
    Case(
        "walk_on_a_vehicle",
        _sub3("    unload: 10 s\n", "    unload: 10 s\n    walk: {speed: 1 m/s}\n"),
        24,
        5,
        "resources[0].walk",
        "'walk' is a key of walking operators and robots",
    ),
    Case(
        "walk_home_not_a_point",
        _sub3(
            "    kind: operator\n",
            "    kind: operator\n    walk: {speed: 1 m/s}\n    home: canteen\n",
        ),
        27,
        11,
        "resources[1].home",
        "'canteen', which is not a point of the layout",
    ),
    Case(
        "walk_home_without_walk",
        _sub3("    kind: operator\n", "    kind: operator\n    home: corner\n"),
        26,
        5,
        "resources[1].home",
        "'home' is where a walking unit starts: it needs 'walk'",
    ),
    # vehicle battery (issue 8, item 2): units, levels, charger points
    Case(
        "battery_charger_unknown_point",
        _battery(_BATTERY.replace("charger: corner", "charger: cornr")),
        24,
        75,
        "resources[0].battery.charger",
        "the vehicle charges at 'cornr', which is not a point of the layout; "
        "did you mean 'corner'?",
    ),
    Case(
        "battery_charger_unknown_in_list",
        _battery(_BATTERY.replace("charger: corner", "charger: [corner, dock]")),
        24,
        84,
        "resources[0].battery.charger[1]",
        "the vehicle charges at 'dock', which is not a point of the layout",
    ),
    Case(
        "battery_charger_unreachable",  # both ends named
        _battery(_BATTERY.replace("charger: corner", "charger: dock")).replace(
            "    pack_in: [36, 52]\n", "    pack_in: [36, 52]\n    dock: [90, 90]\n"
        ),
        18,
        11,
        "resources[0].name",
        "vehicle 'agv' cannot drive from 'cnc_out' (where it picks up at station 'cnc') to "
        "'dock' (where it charges): no path along the aisles",
    ),
    Case(
        "battery_low_not_below_full",
        _battery(_BATTERY.replace("}", ", low: 0.9, full: 0.9}")),
        24,
        88,
        "resources[0].battery.low",
        "low (0.9) must be below full (0.9): the vehicle charges from low up to full",
    ),
    Case(
        "battery_capacity_in_power_units",
        _battery(_BATTERY.replace("30 kWh", "30 kW")),
        24,
        25,
        "resources[0].battery.capacity",
        "'30 kW' is a power, but an energy is asked here; write the battery's capacity in "
        "kWh or Wh, such as '30 kWh'",
    ),
    Case(
        "battery_charge_rate_in_energy_units",
        _battery(_BATTERY.replace("5 kW", "5 kWh")),
        24,
        60,
        "resources[0].battery.charge_rate",
        "'5 kWh' is an energy, but a power is asked here; write the charging power in kW or W",
    ),
    Case(
        "battery_charge_rate_as_a_time",
        _battery(_BATTERY.replace("5 kW", "2 h")),
        24,
        60,
        "resources[0].battery.charge_rate",
        "'2 h' is a time, but a power is asked here; write the charging power, such as '5 kW'",
    ),
    Case(
        "battery_use_without_distance",
        _battery(_BATTERY.replace("20 Wh/m", "20 Wh")),
        24,
        38,
        "resources[0].battery.use",
        "'20 Wh' is an energy, but the energy per metre driven is asked here; write '20 Wh/m'",
    ),
    Case(
        "battery_use_unknown_unit",
        _battery(_BATTERY.replace("20 Wh/m", "20 Wh/s")),
        24,
        38,
        "resources[0].battery.use",
        "unknown consumption unit 'Wh/s' in '20 Wh/s' (use kWh/m, Wh/m, kWh/km, Wh/km)",
    ),
    Case(
        "battery_on_an_operator",
        _sub3("    kind: operator\n", "    kind: operator\n" + _BATTERY),
        26,
        5,
        "resources[1].battery",
        "'battery' is a key of vehicles (kind: vehicle), not of an operator",
    ),
    Case(
        "battery_reserve_too_small",  # 180 m at 20 Wh/m = 3.6 kWh > 0.3 × 10 kWh
        _battery(_BATTERY.replace("30 kWh", "10 kWh").replace("}", ", low: 0.3}")),
        24,
        88,
        "resources[0].battery.low",
        "the reserve at low (0.3 × 10 kWh = 3 kWh) does not cover the longest task and the "
        "trip to a charger, 3.6 kWh for 180 m: empty from 'wash_in' to 'cnc_out' (70 m), "
        "loaded to 'wash_in' (70 m), then to the charger 'corner' (40 m); raise low to at "
        "least 0.36, or add a charger nearer",
    ),
    Case(
        "battery_without_charger",
        _battery(_BATTERY.replace(", charger: corner", "")),
        24,
        14,
        "resources[0].battery",
        "missing required key 'charger'",
    ),
    # --- assembly (BASE_ASSEMBLY) ------------------------------------------------------------
    Case(
        "assembly_unknown_component",
        _sub4("{pcba: 1, housing", "{pcbx: 1, housing"),
        12, 25, "stations[2].assembly.inputs.pcbx",
        "component 'pcbx' is not a product (products: housing, pcba, phone)",
    ),
    Case(
        "assembly_quantity_zero",
        _sub4("pcba: 1,", "pcba: 0,"),
        12, 31, "stations[2].assembly.inputs.pcba", "must be >= 1, got 0",
    ),
    Case(
        "assembly_quantity_not_whole",
        _sub4("pcba: 1,", "pcba: 1.5,"),
        12, 31, "stations[2].assembly.inputs.pcba", "must be a whole number, got 1.5",
    ),
    Case(
        "assembly_no_inputs",
        _sub4("{inputs: {pcba: 1, housing: 1}, output: phone}", "{inputs: {}, output: phone}"),
        12, 24, "stations[2].assembly.inputs", "needs at least one value",
    ),
    Case(
        "assembly_unknown_output",
        _sub4("output: phone}", "output: fone}"),
        12, 55, "stations[2].assembly.output", "output 'fone' is not a product",
    ),
    Case(
        "assembly_output_is_an_input",
        _sub4("housing: 1}, output: phone}", "housing: 1}, output: pcba}"),
        12, 25, "stations[2].assembly.inputs.pcba", "'pcba' is both an input and the output",
    ),
    Case(
        "assembly_component_route_ends_elsewhere",
        _sub4("route: [smt, join]", "route: [smt, test]"),
        16, 37, "products[0].route",
        "component 'pcba' is joined at 'join', so its route must end there (it ends at 'test')",
    ),
    Case(
        "assembly_output_route_starts_elsewhere",
        _sub4("route: [join, test]", "route: [test]"),
        18, 26, "products[2].route",
        "'phone' is assembled at 'join', so its route must start there (it starts at 'test')",
    ),
    Case(
        "assembly_with_wip_cap",
        _sub4("horizon: 8 h\n", "horizon: 8 h\nwip_cap: 10\n"),
        4, 1, "wip_cap", "wip_cap cannot be used with an assembly station",
    ),
    Case(
        "assembly_without_products",
        BASE_ASSEMBLY[: BASE_ASSEMBLY.index("products:")],
        12, 5, "stations[2].assembly", "an assembly joins products: list the components",
    ),
    Case(
        "assembly_component_shares",
        _sub4("{name: housing, share: 0.5", "{name: housing, share: 0.6"),
        15, 1, "products", "product shares must sum to 1, got 1.1 (pcba 0.5 + housing 0.6)",
    ),
    Case(
        "assembly_component_joined_twice",
        _sub4(
            "    process: 5 s\n",
            "    process: 5 s\n    assembly: {inputs: {pcba: 1}, output: phone}\n",
        ),
        15, 25, "stations[3].assembly.inputs.pcba", "'pcba' is already an input of 'join'",
    ),
    Case(
        "assembly_in_v1",
        _sub4("linelab: 2", "linelab: 1"),
        12, 5, "stations[2].assembly", "'assembly' needs linelab: 2",
    ),
    # --- batches (BASE_BATCH) ----------------------------------------------------------------
    Case("batch_zero", _sub5("batch: 20", "batch: 0"), 14, 12, "stations[0].batch",
         "must be >= 1, got 0"),
    Case("batch_not_whole", _sub5("batch: 20", "batch: 2.5"), 14, 12, "stations[0].batch",
         "must be a whole number, got 2.5"),
    Case(
        "batch_never_opened",
        _sub5("    unbatch: true\n", ""),
        14, 5, "stations[0].batch",
        "the trays made at 'cnc' are never opened: give a later station on the route "
        "'unbatch: true'",
    ),
    Case("batch_unbatch_not_a_boolean", _sub5("unbatch: true", "unbatch: 3"), 20, 14,
         "stations[2].unbatch", "boolean"),
    Case(
        "batch_tray_of_trays",
        _sub5("    at: b\n", "    at: b\n    batch: 2\n"),
        14, 5, "stations[0].batch",
        "the trays made at 'cnc' reach 'oven', which makes trays too",
    ),
    Case(
        "batch_scrap_of_a_whole_tray",
        _sub5("    at: b\n", "    at: b\n    scrap: 0.01\n"),
        18, 5, "stations[1].scrap",
        "'oven' works whole trays (made at 'cnc'), and scrapping a whole tray is not modelled",
    ),
]


# --- economics (BASE_V2 + an economics section at line 39) ------------------------------------
_ECON = "economics:\n  hours_per_year: 4800\n  years: 5\n  wages: {operator: 38}\n"


def _econ(extra: str, years: str = "5") -> str:
    """BASE_V2 with a valid economics section (lines 39-42) followed by ``extra``."""
    return BASE_V2 + _ECON.replace("years: 5", f"years: {years}") + extra


CASES += [
    Case("econ_in_v1", BASE + _ECON, 18, 1, "economics", "'economics' needs linelab: 2"),
    Case("econ_negative_wage", _econ("").replace("operator: 38", "operator: -38"), 42, 21,
         "economics.wages.operator", "must be >= 0, got -38"),
    Case("econ_zero_years", _econ("", years="0"), 41, 10, "economics.years",
         "must be >= 1, got 0"),
    Case("econ_subsidy_share_above_1", _econ("  subsidy: {share: 1.5, cap: 30000}\n"), 43, 20,
         "economics.subsidy.share", "must be <= 1, got 1.5"),
    Case("econ_subsidy_no_basis", _econ("  subsidy: {cap: 30000}\n"), 43, 12,
         "economics.subsidy", "give exactly one of 'share'"),
    Case("econ_lease_term_zero", _econ("  lease: {term: 0, rate: 0.05}\n"), 43, 17,
         "economics.lease.term", "must be >= 1, got 0"),
    Case("econ_negative_price", _sub2("    scrap: 0.02\n", "    scrap: 0.02\n    price: -5\n"),
         33, 12, "stations[0].price", "must be >= 0, got -5"),
    Case("econ_negative_electricity", _econ("  electricity: -0.1\n"), 43, 16,
         "economics.electricity", "must be >= 0"),
    Case("econ_unknown_key", _econ("  wage: 38\n"), 43, 3, "economics", "wage"),
]
# Variants (issue 9): BASE_V2 (38 lines) followed by a variants section from line 39.
_VARIANTS = "variants:\n  manual: {}\n  robot:\n"

CASES += [
    Case("variant_partial_new_station",
         BASE_V2 + _VARIANTS + "    stations:\n      cnc9: {servers: 2}\n", 43, 13,
         "variants.robot.stations.cnc9", "the base has no station 'cnc9'"),
    Case("variant_partial_new_resource",
         BASE_V2 + _VARIANTS + "    resources:\n      robot: {count: 1}\n", 43, 14,
         "variants.robot.resources.robot", "missing required key 'kind'"),
    Case("variant_leaves_line_inconsistent",
         BASE_V2 + _VARIANTS + "    stations:\n      cnc: {tending: {by: robot}}\n", 43, 27,
         "variants.robot.stations.cnc.tending.by",
         "in variant 'robot': unknown resource 'robot' in tending.by"),
    Case("variant_removes_used_resource",
         BASE_V2 + _VARIANTS + "    resources:\n      operators: null\n", 29, 19,
         "stations[0].tending.by", "(in variant 'robot')"),
    Case("variant_removes_unknown", BASE_V2 + _VARIANTS + "    resources:\n      ghost: null\n",
         43, 7, "variants.robot.resources.ghost", "no resource named 'ghost' to remove"),
    Case("variant_changes_seed", BASE_V2 + _VARIANTS + "    seed: 5\n", 42, 5,
         "variants.robot.seed", "shared by every variant"),
    Case("baseline_not_a_variant", BASE_V2 + "baseline: auto\n" + _VARIANTS + "    {}\n",
         39, 11, "baseline", "baseline 'auto' is not a variant (variants: manual, robot)"),
    Case("variants_in_v1", BASE + "variants: {manual: {}, robot: {}}\n", 18, 1, "variants",
         "they need linelab: 2"),
]


def materialize(case: Case, directory: Path) -> Path:
    """Write ``case`` under ``directory`` and return the path to load (or to pass the CLI).

    For :data:`MISSING_FILE` nothing is written; for :data:`DIRECTORY` a directory is made.
    """
    path = directory / f"{case.id}.yaml"
    if case.content == MISSING_FILE:
        return path
    if case.content == DIRECTORY:
        path.mkdir()
        return path
    data = case.content.encode("utf-8") if isinstance(case.content, str) else case.content
    path.write_bytes(data)
    return path
