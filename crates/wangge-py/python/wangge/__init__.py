"""wangge 网格: community grid management (网格化管理) for epidemic simulations.

The registry of the Rust crate ``wangge`` for Python: a city's unit tree, its population
register, the household colours 四级五色 and their tallies up the tree, isolation cases under
policies with their schedules and the daily agenda, rosters and worklists.

>>> import wangge
>>> reg = wangge.Registry.synth(10_000, seed=7)
>>> reg.person_count > 10_000 - 1
True

Start with ``help(wangge.Registry)``. Commands are dicts of the same JSON shapes as the Rust
serde ``Command``; refusals raise a ``WanggeError`` subclass with ``.code`` and ``.kind``.
"""

from ._wangge import (
    AGENDA_KINDS,
    COLOURS,
    FORMAT_VERSION,
    STATES,
    MEASURES,
    Conflict,
    Corrupt,
    Forbidden,
    Invalid,
    NotFound,
    Registry,
    WangeError,
    WanggeError,
    __version__,
    level_schemes,
    policy_presets,
    policy_schedule,
)

__all__ = [
    "AGENDA_KINDS",
    "COLOURS",
    "FORMAT_VERSION",
    "STATES",
    "MEASURES",
    "Conflict",
    "Corrupt",
    "Forbidden",
    "Invalid",
    "NotFound",
    "Registry",
    "WangeError",
    "WanggeError",
    "__version__",
    "level_schemes",
    "policy_presets",
    "policy_schedule",
]
