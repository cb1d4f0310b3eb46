"""Hash chains over stored rows: the canonical bytes of a row, the link hash, and the verify walk.

A chain is a sequence of rows numbered 1, 2, 3, … in the order they were stored. Each row's
hash is SHA-256 over the previous row's hash (GENESIS before the first), a newline, and the
row's canonical form:

- a JSON array of the row's values in a fixed field order (each app's chain module lists its
  CONTENT_FIELDS), no whitespace, UTF-8 (non-ASCII kept as is), keys of JSON objects sorted;
- datetimes as ISO 8601 in UTC with microseconds (`2026-01-31T09:05:00.000000+00:00`);
- integers a double holds exactly (|n| < 2**53) as integers, every other number as the
  shortest decimal that reads back as the same double, so a JSON column reads the same after
  the database normalised it (PostgreSQL's jsonb hands 1e+20 back as 100000000000000000000).

Changing a stored row, or removing or inserting one, changes the hash every later row should
carry; the walk reports the first row where the stored hash and the recomputed one part.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from json import encoder
from typing import Any, Self

from django.db import models

GENESIS = "0" * 64
_EXACT_INT = 2**53
_LONG_DIGITS = re.compile(r"\d{16}")


def _special(value: object) -> str:
    """The JSON encoder's fallback: datetimes (aware only) as ISO UTC with microseconds."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("a chained datetime must carry its time zone")
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    raise TypeError(f"a chained value cannot be {type(value).__name__}")


def _number(text: str) -> int | float:
    value = int(text)
    return value if abs(value) < _EXACT_INT else float(value)


_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_special
)
# The C encoder behind it, built once: JSONEncoder.encode builds a new one on every call, which
# cost as much as the encoding itself on a sync's hot path.
_MAKE_C_ENCODER = getattr(encoder, "c_make_encoder", None)  # absent where json has no C part
_C_ENCODE = (
    _MAKE_C_ENCODER(None, _special, encoder.encode_basestring, None, ":", ",", True, False, True)
    if _MAKE_C_ENCODER is not None
    else None
)


def _dumps(value: object) -> str:
    if _C_ENCODE is None:
        return _ENCODER.encode(value)
    return "".join(_C_ENCODE(value, 0))


Content = Sequence[Any]  # a row's values in its chain's CONTENT_FIELDS order


def canonical_bytes(content: Content) -> bytes:
    """The row's content in the canonical form described above."""
    text = _dumps(content)
    # Only an integer of 16 digits or more can be past 2**53; without one (the common case)
    # the text is already canonical. A long digit run inside a string only costs the re-read.
    if _LONG_DIGITS.search(text):
        text = _dumps(json.loads(text, parse_int=_number))
    return text.encode()


def link_hash(content: Content, previous: str) -> str:
    """The hash a row with this content carries after a row hashed `previous`."""
    digest = hashlib.sha256(previous.encode("ascii"))
    digest.update(b"\n")
    digest.update(canonical_bytes(content))
    return digest.hexdigest()


@dataclass(frozen=True)
class Position:
    """Where a chain stands: the last row's number and hash (0 and GENESIS when empty)."""

    seq: int = 0
    hash: str = GENESIS


def extend(head: Position, contents: Iterable[Content]) -> list[Position]:
    """The positions of rows appended after `head`, in order; the last one is the new head."""
    positions = []
    seq, previous = head.seq, head.hash
    for content in contents:
        seq, previous = seq + 1, link_hash(content, previous)
        positions.append(Position(seq, previous))
    return positions


class ChainHead(models.Model):
    """Where one chain ends (abstract: each app keeps its own table, keyed its own way).

    Appending locks this row first (SELECT … FOR UPDATE where the database has it), so two
    writers of the same chain take turns instead of both linking to the same last row.
    """

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS)

    class Meta:
        abstract = True

    @classmethod
    def locked(cls, **key: Any) -> Self:
        """The chain's head, locked until the transaction ends; created when missing."""
        head = cls._default_manager.select_for_update().filter(**key).first()
        if head is None:
            # A concurrent first writer may create it too: get_or_create then finds theirs.
            cls._default_manager.get_or_create(**key)
            head = cls._default_manager.select_for_update().get(**key)
        return head

    @property
    def position(self) -> Position:
        return Position(self.seq, self.hash)

    def advance(self, positions: Sequence[Position]) -> None:
        """Record the last of the rows just appended as the chain's end."""
        if positions:
            self.seq, self.hash = positions[-1].seq, positions[-1].hash
            self.save(update_fields=["seq", "hash"])


@dataclass(frozen=True)
class ChainRow:
    """A stored row as the walk reads it: its id, chain number, stored hash and content."""

    pk: int
    seq: int | None
    hash: str
    content: Content


@dataclass(frozen=True)
class Break:
    """The first place a chain does not hold; `expected`/`stored` are hashes or row numbers."""

    row: int | None  # the row's id; None when the break is rows missing at the end
    seq: int
    problem: str
    expected: str = ""
    stored: str = ""
    compared: str = ""  # "hash" or "position": what `expected` and `stored` are

    def describe(self) -> str:
        """One sentence naming the row, what is wrong, and the expected and stored values."""
        where = f"row {self.row}" if self.row is not None else "the end of the chain"
        text = f"Chain position {self.seq} ({where}): {self.problem}"
        if self.compared:
            text += f"; expected {self.compared} {self.expected}, stored {self.stored}"
        return text + "."


@dataclass(frozen=True)
class Verification:
    """The walk's result: rows checked, the hash it reached, and the first break if any."""

    checked: int
    head: str
    first_break: Break | None

    @property
    def ok(self) -> bool:
        return self.first_break is None


def stored_rows(rows: models.QuerySet[Any], fields: Sequence[str]) -> Iterator[ChainRow]:
    """The rows of one chain in chain order, read in chunks, each with its `fields` as content
    (the rows' model has chain_seq and chain_hash)."""
    values = rows.order_by("chain_seq").values_list("pk", "chain_seq", "chain_hash", *fields)
    for pk, seq, stored, *content in values.iterator(chunk_size=2000):
        yield ChainRow(pk, seq, stored, content)


def chain_existing(rows: models.QuerySet[Any], fields: Sequence[str]) -> Position:
    """Chain rows stored before chaining existed, in id order, as one chain; returns its end.

    For data migrations: `rows` are one chain's rows of a (historical) model whose hashed
    content is exactly `fields`.
    """
    position, batch = Position(), []
    model = rows.model
    for pk, *content in rows.order_by("pk").values_list("pk", *fields).iterator(chunk_size=2000):
        [position] = extend(position, [content])
        batch.append(model(pk=pk, chain_seq=position.seq, chain_hash=position.hash))
        if len(batch) == 2000:
            model._default_manager.bulk_update(batch, ["chain_seq", "chain_hash"])
            batch = []
    model._default_manager.bulk_update(batch, ["chain_seq", "chain_hash"])
    return position


def verify(rows: Iterable[ChainRow], *, start: Position, end: Position) -> Verification:
    """Walk `rows` (in chain order) from `start`; they must link up exactly to `end`.

    `start` is where the kept rows begin (GENESIS, or the last pruned row); `end` is the head
    recorded when the last row was stored, so rows removed from the end are caught too.
    """
    checked, current = 0, start
    for row in rows:
        expected_seq = current.seq + 1
        problem = _seq_problem(row.seq, expected_seq, end)
        if problem:
            text, want, got = problem
            found = _with_numbers(Break(row.pk, expected_seq, text), want, got)
            return Verification(checked, current.hash, found)
        expected = link_hash(row.content, current.hash)
        if expected != row.hash:
            found = Break(row.pk, expected_seq, "its content or an earlier row changed")
            return Verification(checked, current.hash, _with_hashes(found, expected, row.hash))
        checked, current = checked + 1, Position(expected_seq, expected)
    if current.seq < end.seq:
        gone = Break(None, current.seq + 1, "rows at the end of the chain are missing")
        return Verification(checked, current.hash, _with_numbers(gone, end.seq, current.seq))
    if current.hash != end.hash:
        moved = Break(None, current.seq, "the chain's last row does not match its recorded head")
        return Verification(checked, current.hash, _with_hashes(moved, end.hash, current.hash))
    return Verification(checked, current.hash, None)


def _seq_problem(seq: int | None, expected: int, end: Position) -> tuple[str, int, object] | None:
    """What is wrong with a row's chain number, with the expected and stored numbers."""
    if seq is None:
        return ("the row was stored outside the chain", expected, "none")
    if seq > end.seq:
        return ("the row lies beyond the chain's recorded head", end.seq, seq)
    if seq > expected:
        return ("rows before this one are missing", expected, seq)
    if seq < expected:
        return ("the row repeats an earlier chain position", expected, seq)
    return None


def _with_hashes(found: Break, expected: str, stored: str) -> Break:
    return replace(found, compared="hash", expected=expected, stored=stored)


def _with_numbers(found: Break, expected: int, stored: object) -> Break:
    return replace(found, compared="position", expected=str(expected), stored=str(stored))


# --- the chains an installation keeps --------------------------------------------------------


@dataclass(frozen=True)
class ChainReport:
    """One chain's verification, with the name people read ("Activity log of Acme")."""

    label: str
    verification: Verification


# Given an Auth Tenant's id (None: every one), the reports of the chains an app keeps for it.
Verifier = Callable[[int | None], list[ChainReport]]
_VERIFIERS: dict[str, Verifier] = {}


def register(name: str, verifier: Verifier) -> None:
    """Make an app's chains part of the archive check (called from its AppConfig.ready)."""
    _VERIFIERS[name] = verifier


def verify_archive(auth_tenant_id: int | None) -> list[ChainReport]:
    """Verify every registered chain of one Auth Tenant (None: of all of them)."""
    return [report for name in sorted(_VERIFIERS) for report in _VERIFIERS[name](auth_tenant_id)]
