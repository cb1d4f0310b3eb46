"""The hash chain core: its canonical form is stable, and the walk names the first break."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone

import pytest

from apps.core.hashchain import (
    GENESIS,
    ChainRow,
    Position,
    canonical_bytes,
    extend,
    link_hash,
    verify,
)

CONTENTS = [[number, f"row {number}"] for number in range(1, 6)]


def _chain() -> list[ChainRow]:
    positions = extend(Position(), CONTENTS)
    return [
        ChainRow(100 + p.seq, p.seq, p.hash, content)
        for p, content in zip(positions, CONTENTS, strict=True)
    ]


def _end(rows: list[ChainRow]) -> Position:
    return Position(rows[-1].seq or 0, rows[-1].hash)


def test_canonical_form_is_a_compact_array_with_utc_dates_and_sorted_objects() -> None:
    plus_two = timezone(timedelta(hours=2))
    content = ["é", datetime(2026, 1, 31, 11, 5, tzinfo=plus_two), {"b": [True, None], "a": 1}]
    assert canonical_bytes(content) == (
        '["é","2026-01-31T09:05:00.000000+00:00",{"a":1,"b":[true,null]}]'.encode()
    )


def test_numbers_read_the_same_after_a_database_rewrote_them() -> None:
    # jsonb hands 1e+20 back as 100000000000000000000 and 1.5e300 as a 301-digit integer.
    assert canonical_bytes([{"x": 1e20}]) == canonical_bytes([{"x": 10**20}]) == b'[{"x":1e+20}]'
    assert canonical_bytes([1.5e300]) == canonical_bytes([15 * 10**299])
    assert canonical_bytes([7, True, 2.5]) == b"[7,true,2.5]"
    # A long digit run inside a string takes the slow path and comes out the same.
    assert canonical_bytes(["google|1122334455667788990", 1.5]) == (
        b'["google|1122334455667788990",1.5]'
    )


def test_a_naive_datetime_is_refused_rather_than_guessed() -> None:
    with pytest.raises(ValueError, match="time zone"):
        canonical_bytes([datetime(2026, 1, 1)])  # noqa: DTZ001 - the point of the test


def test_link_hash_is_sha256_of_the_previous_hash_and_the_canonical_form() -> None:
    content = [datetime(2026, 1, 1, tzinfo=UTC), 1]
    expected = hashlib.sha256(GENESIS.encode() + b"\n" + canonical_bytes(content)).hexdigest()
    assert link_hash(content, GENESIS) == expected


def test_an_intact_chain_verifies_to_its_head() -> None:
    rows = _chain()
    result = verify(rows, start=Position(), end=_end(rows))
    assert result.ok
    assert (result.checked, result.head) == (5, rows[-1].hash)


def test_a_changed_row_is_the_first_break_with_expected_and_stored_hashes() -> None:
    rows = _chain()
    changed = ChainRow(rows[2].pk, 3, rows[2].hash, [3, "edited"])
    result = verify([*rows[:2], changed, *rows[3:]], start=Position(), end=_end(rows))
    found = result.first_break
    assert found is not None
    assert (found.row, found.seq, found.compared) == (rows[2].pk, 3, "hash")
    assert found.stored == rows[2].hash
    assert found.expected == link_hash(changed.content, rows[1].hash)
    assert result.checked == 2
    assert "Chain position 3 (row 103): its content or an earlier row changed" in found.describe()


def test_a_removed_row_and_a_removed_last_row_are_caught() -> None:
    rows = _chain()
    middle = verify([*rows[:2], *rows[3:]], start=Position(), end=_end(rows)).first_break
    assert middle is not None
    assert (middle.seq, middle.problem, middle.expected, middle.stored) == (
        3,
        "rows before this one are missing",
        "3",
        "4",
    )
    tail = verify(rows[:-1], start=Position(), end=_end(rows)).first_break
    assert tail is not None
    assert (tail.row, tail.problem) == (None, "rows at the end of the chain are missing")


def test_an_inserted_row_breaks_the_link_of_the_row_after_it() -> None:
    rows = _chain()
    forged_content = [99, "forged"]
    forged = ChainRow(999, 3, link_hash(forged_content, rows[1].hash), forged_content)
    shifted = [ChainRow(r.pk, (r.seq or 0) + 1, r.hash, r.content) for r in rows[2:]]
    end = Position(6, shifted[-1].hash)
    found = verify([*rows[:2], forged, *shifted], start=Position(), end=end).first_break
    assert found is not None
    assert (found.row, found.seq, found.compared) == (rows[2].pk, 4, "hash")


def test_rows_outside_the_chain_or_past_its_head_are_caught() -> None:
    rows = _chain()
    unchained = ChainRow(7, None, "", [0, "stray"])
    outside = verify([unchained, *rows], start=Position(), end=_end(rows)).first_break
    assert outside is not None
    assert (outside.problem, outside.expected, outside.stored) == (
        "the row was stored outside the chain",
        "1",
        "none",
    )
    past = verify(rows, start=Position(), end=Position(4, rows[3].hash)).first_break
    assert past is not None
    assert (past.row, past.problem) == (rows[4].pk, "the row lies beyond the chain's recorded head")


def test_a_chain_verifies_from_a_pruned_start() -> None:
    rows = _chain()
    start = Position(2, rows[1].hash)
    assert verify(rows[2:], start=start, end=_end(rows)).ok
    assert not verify(rows[3:], start=start, end=_end(rows)).ok
