"""Hostile experiment files for the fuzz tests: the shipped examples, mutated field by field."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import strategies as st

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
EXAMPLE_TEXTS = {
    path.name: path.read_text(encoding="utf-8") for path in sorted(EXAMPLES.glob("*.json"))
}
# Examples whose data is generated: the CLI trains them without downloads.
TOY_EXAMPLES = tuple(
    name for name, text in EXAMPLE_TEXTS.items() if "mnist" not in text and "cifar" not in text
)

# A string no example holds: a mutated value is written in its place as raw JSON text.
_MARK = "\u0000LAYERLAB-FUZZ\u0000"
_MARKED = json.dumps(_MARK)

# JSON text that json.dumps cannot write from a Python value, or that stresses the reader.
RAW_TOKENS = (
    str(10**400),
    "-" + "9" * 5000,  # over Python's 4300-digit limit for int()
    "1" + "0" * 5000 + ".5",
    "1e400",
    "-1e400",
    "NaN",
    "Infinity",
    "-Infinity",
    "[" * 3000 + "]" * 3000,  # deeper than the recursion limit
    '{"a":' * 3000 + "1" + "}" * 3000,
    "[" * 50 + "1" + "]" * 50,
    '"\\ud800"',  # a lone surrogate, escaped
    '"\\udfff tail"',
    '"a\\u0000b\\u001bc\\u007f"',  # control characters
    '"line\\nbreak"',
    '""',
    "null",
    "true",
    "false",
    "0",
    "-1",
    "2147483648",
    "1e-400",
    "{}",
    "[]",
)

_plain_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=6,
)
# A replacement value: raw JSON text, or any JSON value (strings may hold lone surrogates).
replacement = st.one_of(
    st.sampled_from(RAW_TOKENS),
    _plain_values.map(json.dumps),
    st.text(alphabet=st.characters(codec=None, min_codepoint=0), max_size=8).map(json.dumps),
)
unknown_key = st.sampled_from(("lyers", "extra", "", "\ud800", "kind ", "params", "format"))


def _containers(value: object, path: tuple = ()) -> list[tuple]:
    """Every path (keys and indexes) to a dict or list inside `value`, the root included."""
    found = []
    if isinstance(value, dict | list):
        found.append(path)
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, child in items:
            found.extend(_containers(child, (*path, key)))
    return found


def _at(value: object, path: tuple) -> object:
    for key in path:
        value = value[key]
    return value


@st.composite
def mutated_experiment(draw, names: tuple[str, ...] = tuple(EXAMPLE_TEXTS)) -> str:
    """The JSON text of an example with one to three hostile mutations."""
    data = json.loads(EXAMPLE_TEXTS[draw(st.sampled_from(names))])
    raw: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        container = _at(data, draw(st.sampled_from(_containers(data))))
        keys = list(container) if isinstance(container, dict) else list(range(len(container)))
        action = draw(st.sampled_from(("replace", "delete", "unknown", "empty")))
        if action == "unknown" and isinstance(container, dict):
            container[draw(unknown_key)] = _MARK
            raw.append(draw(replacement))
        elif not keys:
            continue
        elif action == "delete":
            del container[draw(st.sampled_from(keys))]
        elif action == "empty":
            key = draw(st.sampled_from(keys))
            container[key] = {} if isinstance(container[key], dict) else []
        else:
            container[draw(st.sampled_from(keys))] = _MARK
            raw.append(draw(replacement))
    text = json.dumps(data, indent=2)
    for token in raw:  # each mark in turn gets its raw text
        text = text.replace(_MARKED, token, 1)
    return text
