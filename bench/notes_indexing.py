"""Notes for the slow large cases of the indexing ops (see bench/notes.py, which merges them).

An entry here wins over one of the same key in bench/notes.py.
"""

from __future__ import annotations

NOTES: dict[str, str] = {}
