"""Plain data objects built from API responses.

A model is a frozen dataclass whose fields all default to None, so that a
response from an older or newer microversion, or one trimmed by policy,
still builds: absent keys are simply None. The JSON key of a field is its
name unless the field's metadata says otherwise (Nova's extension-prefixed
keys such as ``OS-EXT-SRV-ATTR:host``). ``raw`` keeps the whole response
for commands that show every field.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, TypeVar

M = TypeVar('M', bound='Model')

_UUID = re.compile(r'[0-9a-fA-F]{8}-?([0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}')


def looks_like_uuid(text: str) -> bool:
    """Whether `text` is an ID (Nova and Trove IDs are UUIDs), not a name."""
    return bool(_UUID.fullmatch(text))


def key(json_key: str, default: Any = None) -> Any:
    """A field read from `json_key` instead of the field's own name."""
    return dataclasses.field(default=default, metadata={'key': json_key})


@dataclasses.dataclass(frozen=True)
class Model:
    raw: dict = dataclasses.field(
        default_factory=dict, repr=False, compare=False
    )

    @classmethod
    def from_json(cls: type[M], data: dict) -> M:
        values = {}
        for field in dataclasses.fields(cls):
            if field.name == 'raw':
                continue
            name = field.metadata.get('key', field.name)
            if name in data:
                values[field.name] = data[name]
        return cls(raw=data, **values)
