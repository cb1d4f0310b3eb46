"""`manage.py createowner`: the first owner, from a prompt or standard input, with clear errors."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from apps.core.capabilities import Role, role_of

GOOD = "correct-horse-battery"


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("createowner", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def stdin(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    def feed(text: str) -> None:
        monkeypatch.setattr("sys.stdin", io.StringIO(text))

    return feed


@pytest.fixture
def prompts(monkeypatch: pytest.MonkeyPatch) -> Callable[..., list[str]]:
    asked: list[str] = []

    def answer(*answers: str) -> list[str]:
        replies = iter(answers)

        def getpass(prompt: str = "") -> str:
            asked.append(prompt)
            return next(replies)

        monkeypatch.setattr("getpass.getpass", getpass)
        return asked

    return answer


def test_creates_an_owner_from_standard_input(db: None, stdin: Callable[[str], None]) -> None:
    stdin(GOOD + "\n")
    assert "Created owner 'ada'." in _run("ada", "--email", "ada@example.com", "--password-stdin")
    user = User.objects.get(username="ada")
    assert user.check_password(GOOD) and user.email == "ada@example.com"
    assert role_of(user) == Role.OWNER


def test_asks_for_the_password_twice(db: None, prompts: Callable[..., list[str]]) -> None:
    asked = prompts(GOOD, GOOD)
    _run("ada")
    assert asked == ["Password: ", "Password (again): "]
    assert User.objects.get(username="ada").check_password(GOOD)


def test_two_different_passwords_change_nothing(
    db: None, prompts: Callable[..., list[str]]
) -> None:
    prompts(GOOD, GOOD + "x")
    with pytest.raises(CommandError, match="differ"):
        _run("ada")
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("password", "reason"),
    [("short1", "too short"), ("password123", "too common"), ("49382716503", "entirely numeric")],
)
def test_a_weak_password_is_refused_with_the_validators_reason(
    db: None, stdin: Callable[[str], None], password: str, reason: str
) -> None:
    stdin(password + "\n")
    with pytest.raises(CommandError, match=reason):
        _run("ada", "--password-stdin")
    assert not User.objects.exists()


def test_an_existing_user_is_named_and_left_alone_without_update(
    db: None, stdin: Callable[[str], None]
) -> None:
    User.objects.create_user("ada", password="old-password-1")
    stdin(GOOD + "\n")
    with pytest.raises(CommandError, match="'ada' already exists.*--update"):
        _run("ada", "--password-stdin")
    assert User.objects.get(username="ada").check_password("old-password-1")


def test_update_resets_the_password_and_makes_them_owner(
    db: None, stdin: Callable[[str], None]
) -> None:
    User.objects.create_user("ada", password="old-password-1")
    stdin(GOOD + "\n")
    assert "Updated owner 'ada'." in _run("ada", "--password-stdin", "--update")
    user = User.objects.get(username="ada")
    assert user.check_password(GOOD) and role_of(user) == Role.OWNER


@pytest.mark.parametrize(
    ("args", "stdin_text", "message"),
    [
        (["ada", "--password-stdin"], "", "No password on standard input"),
        (["ada", "--email", "not-an-address", "--password-stdin"], GOOD, "not an email"),
        (["   ", "--password-stdin"], GOOD, "username is empty"),
    ],
)
def test_bad_input_is_a_clear_error(
    db: None, stdin: Callable[[str], None], args: list[str], stdin_text: str, message: str
) -> None:
    stdin(stdin_text)
    with pytest.raises(CommandError, match=message):
        _run(*args)
    assert not User.objects.exists()
