"""Reading a bulk invite list and checking every line before anything is sent.

Columns, in this order: email, team role, tenants, tenant roles, app (client) ids. Only the
email is required; an empty team role means Contributor (the invite form's default). Inside a
cell, several tenants, tenant roles or app ids are separated by `;` or `|`. Roles may be
written as people read them ("Report viewer", "Editor – Users") or as the API's names
("teams_report_viewer", "editor-users"); tenants by name (any case) or id. A first line
starting with "email" is a header. Commas or tabs separate the columns (a list pasted from a
spreadsheet is tab-separated).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db.models.functions import Lower

from apps.directory.models import DirectoryMember, DirectoryTenant, Invitation
from apps.members import rules
from apps.teamsapi.contract import TEAM_ROLE_LABELS, TENANT_ROLE_LABELS, TeamRole, TenantRole

if TYPE_CHECKING:
    from apps.authtenants.models import AuthTenant

MAX_ROWS = 5000
MAX_BYTES = 2 * 1024 * 1024  # a 5,000-line list with ten tenants a line fits easily
COLUMNS = ("email", "team role", "tenants", "tenant roles", "app ids")
CELL_SEPARATOR = re.compile(r"[;|]")
EMAIL_MAX = 320


class ListRefused(Exception):
    """The whole list cannot be read (size, encoding, no lines); `message` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Line:
    """One line as read and resolved; `problems` empty means it may be sent."""

    line: int
    email: str
    team_role: str = ""
    tenants_text: str = ""
    tenant_ids: list[str] = field(default_factory=list)
    tenant_roles: list[str] = field(default_factory=list)
    client_ids: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _key(text: str) -> str:
    """A role or tenant as typed, compared loosely: any case, any dash, spaces collapsed."""
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text.strip().casefold())
    return re.sub(r"\s+", " ", re.sub(r"\s*-\s*", " - ", text))


def _lookup(labels: dict[str, str], *, refused: Iterable[str] = ()) -> dict[str, str]:
    offered = {slug: label for slug, label in labels.items() if slug not in set(refused)}
    table = {_key(slug): slug for slug in offered}
    table.update({_key(label): slug for slug, label in offered.items()})
    return table


TEAM_ROLES = _lookup(TEAM_ROLE_LABELS)
# Deprecated (§7): never offered for new access, as on the invite form.
TENANT_ROLES = _lookup(TENANT_ROLE_LABELS, refused=[TenantRole.SUPPORT_ACCESS])


def decode(data: bytes) -> str:
    """The uploaded file as text; ListRefused for a file too large or not UTF-8 text."""
    if len(data) > MAX_BYTES:
        raise ListRefused(
            f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB; split it into smaller lists."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ListRefused(
            "The file is not UTF-8 text. Save it from your spreadsheet as “CSV UTF-8” and upload "
            "it again."
        ) from None
    if "\x00" in text:
        raise ListRefused("The file holds binary data, not a CSV list; upload a CSV file.")
    return text


def _cells(value: str) -> list[str]:
    return list(dict.fromkeys(p.strip() for p in CELL_SEPARATOR.split(value) if p.strip()))


def read_lines(text: str) -> list[Line]:
    """The list's lines with their cells (blank lines skipped); ListRefused when unreadable."""
    if len(text) > MAX_BYTES:
        raise ListRefused("The list is too long; split it into smaller lists.")
    # Pasted from a spreadsheet: tabs; a CSV file: commas.
    delimiter = "\t" if text.count("\t") > text.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    read: list[Line] = []
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if not read and cells[0].strip().casefold().startswith("email"):
                continue  # the header
            if len(read) >= MAX_ROWS:
                raise ListRefused(
                    f"The list has more than {MAX_ROWS:,} lines; split it into smaller lists."
                )
            read.append(_line(reader.line_num, cells))
    except csv.Error as error:
        raise ListRefused(f"Line {reader.line_num} cannot be read as CSV ({error}).") from None
    if not read:
        raise ListRefused("The list holds no lines to invite; one email per line at least.")
    return read


def _line(number: int, cells: Sequence[str]) -> Line:
    padded = [c.strip() for c in cells] + [""] * len(COLUMNS)
    line = Line(line=number, email=padded[0][:EMAIL_MAX], team_role=padded[1])
    line.tenants_text = padded[2][:2000]
    line.tenant_roles = _cells(padded[3])
    line.client_ids = _cells(padded[4])
    if len(cells) > len(COLUMNS) and any(c.strip() for c in cells[len(COLUMNS) :]):
        line.problems.append(
            f"More than {len(COLUMNS)} columns; separate several values inside a cell with ; or |."
        )
    return line


@dataclass(frozen=True)
class _Team:
    """What the mirror and the ledger say, read once for the whole list."""

    tenants_by_id: dict[str, str]
    tenants_by_name: dict[str, list[str]]
    members: set[str]
    pending: set[str]


def _team(auth_tenant: AuthTenant, emails: set[str]) -> _Team:
    tenants = DirectoryTenant.objects.filter(auth_tenant=auth_tenant, removed_at__isnull=True)
    by_id: dict[str, str] = {}
    by_name: dict[str, list[str]] = {}
    for tenant_id, name in tenants.values_list("tenant_id", "tenant_name"):
        by_id[tenant_id.casefold()] = tenant_id
        by_name.setdefault(name.casefold(), []).append(tenant_id)
    members = DirectoryMember.objects.filter(auth_tenant=auth_tenant, removed_at__isnull=True)
    pending = Invitation.objects.filter(auth_tenant=auth_tenant, state=Invitation.State.PENDING)
    lowered = [
        set(rows.annotate(e=Lower("email")).filter(e__in=emails).values_list("e", flat=True))
        for rows in (members, pending)
    ]
    return _Team(by_id, by_name, lowered[0], lowered[1])


def _resolve_roles(line: Line) -> None:
    role = line.team_role or TeamRole.CONTRIBUTOR
    line.team_role = TEAM_ROLES.get(_key(role), "")
    if not line.team_role:
        line.problems.append(f"Unknown team role “{role}”.")
    resolved = [TENANT_ROLES.get(_key(r), "") for r in line.tenant_roles]
    unknown = [r for r, slug in zip(line.tenant_roles, resolved, strict=True) if not slug]
    if unknown:
        line.problems.append(f"Unknown tenant role “{unknown[0]}”.")
    line.tenant_roles = list(dict.fromkeys(slug for slug in resolved if slug))


def _resolve_tenants(line: Line, team: _Team) -> None:
    for tenant in _cells(line.tenants_text):
        by_name = team.tenants_by_name.get(tenant.casefold(), [])
        tenant_id = team.tenants_by_id.get(tenant.casefold())
        if tenant_id is None and len(by_name) > 1:
            line.problems.append(f"{len(by_name)} tenants are named “{tenant}”; give its id.")
        elif tenant_id is None and not by_name:
            line.problems.append(f"No tenant “{tenant}” in this team.")
        else:
            line.tenant_ids.append(tenant_id or by_name[0])
    line.tenant_ids = list(dict.fromkeys(line.tenant_ids))


_email_valid = EmailValidator()


def check(auth_tenant: AuthTenant, lines: list[Line]) -> list[Line]:
    """Resolve every line against the mirror and the ledger, noting each line's problems."""
    team = _team(auth_tenant, {line.email.casefold() for line in lines})
    first_line: dict[str, int] = {}
    for line in lines:
        email = line.email.casefold()
        try:
            _email_valid(line.email)
        except ValidationError:
            line.problems.insert(
                0, f"Not an email address: “{line.email}”." if email else "No email."
            )
        _resolve_roles(line)
        _resolve_tenants(line, team)
        problems = rules.invite_problems(
            tenant_ids=line.tenant_ids, tenant_roles=line.tenant_roles, client_ids=line.client_ids
        )
        line.problems.extend(m for messages in problems.values() for m in messages)
        if email in first_line:
            line.problems.append(f"Same email as line {first_line[email]}.")
        elif email:
            first_line[email] = line.line
        if email in team.members:
            line.problems.append("Already a member of the team.")
        elif email in team.pending:
            line.problems.append("Already invited: the invitation is still pending.")
    return lines
