"""Client secrets are encrypted at rest and survive key rotation."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError
from pytest_django.fixtures import Settings as SettingsWrapper

from apps.authtenants import crypto
from apps.authtenants.models import AuthClient
from tests.factories import AuthClientFactory

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


def test_encrypt_round_trips_and_hides_the_plaintext(settings: SettingsWrapper) -> None:
    settings.TEAMSADMIN_ENCRYPTION_KEYS = [OLD_KEY]
    ciphertext = crypto.encrypt("s3cret-value")
    assert "s3cret-value" not in ciphertext
    assert crypto.decrypt(ciphertext) == "s3cret-value"


def test_every_configured_key_decrypts_but_the_first_encrypts(settings: SettingsWrapper) -> None:
    settings.TEAMSADMIN_ENCRYPTION_KEYS = [OLD_KEY]
    old_ciphertext = crypto.encrypt("value")
    settings.TEAMSADMIN_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    assert crypto.decrypt(old_ciphertext) == "value"
    new_ciphertext = crypto.encrypt("value")
    settings.TEAMSADMIN_ENCRYPTION_KEYS = [NEW_KEY]
    assert crypto.decrypt(new_ciphertext) == "value"


def test_wrong_key_gives_a_clear_error_without_key_material(settings: SettingsWrapper) -> None:
    settings.TEAMSADMIN_ENCRYPTION_KEYS = [OLD_KEY]
    ciphertext = crypto.encrypt("value")
    settings.TEAMSADMIN_ENCRYPTION_KEYS = [NEW_KEY]
    with pytest.raises(crypto.SecretKeyError, match="cannot be decrypted") as excinfo:
        crypto.decrypt(ciphertext)
    assert NEW_KEY not in str(excinfo.value) and OLD_KEY not in str(excinfo.value)


@pytest.mark.parametrize(
    ("keys", "message"),
    [([], "No encryption key"), (["not-a-fernet-key"], "#1 .* not a valid Fernet key")],
)
def test_absent_or_malformed_keys_give_a_clear_error(
    settings: SettingsWrapper, keys: list[str], message: str
) -> None:
    settings.TEAMSADMIN_ENCRYPTION_KEYS = keys
    with pytest.raises(crypto.SecretKeyError, match=message) as excinfo:
        crypto.encrypt("value")
    assert "not-a-fernet-key" not in str(excinfo.value)


@pytest.mark.django_db
def test_client_secret_is_stored_encrypted(settings: SettingsWrapper) -> None:
    settings.TEAMSADMIN_ENCRYPTION_KEYS = [OLD_KEY]
    client = AuthClientFactory.create(secret="stored-secret-1")
    stored = AuthClient.objects.values_list("secret_encrypted", flat=True).get(pk=client.pk)
    assert "stored-secret-1" not in stored
    assert AuthClient.objects.get(pk=client.pk).get_secret() == "stored-secret-1"


@pytest.mark.django_db
def test_rotate_encryption_key_reencrypts_every_secret(
    settings: SettingsWrapper, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.TEAMSADMIN_ENCRYPTION_KEYS = [OLD_KEY]
    clients = [AuthClientFactory.create(secret=f"secret-{n}") for n in range(3)]
    settings.TEAMSADMIN_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]

    call_command("rotate_encryption_key")

    assert "Re-encrypted 3 client secrets" in capsys.readouterr().out
    settings.TEAMSADMIN_ENCRYPTION_KEYS = [NEW_KEY]  # the old key can now be dropped
    for n, client in enumerate(clients):
        assert AuthClient.objects.get(pk=client.pk).get_secret() == f"secret-{n}"


@pytest.mark.django_db
def test_rotate_encryption_key_changes_nothing_when_a_secret_is_unreadable(
    settings: SettingsWrapper,
) -> None:
    settings.TEAMSADMIN_ENCRYPTION_KEYS = [OLD_KEY]
    readable = AuthClientFactory.create(label="Readable", secret="one")
    settings.TEAMSADMIN_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    AuthClientFactory.create(label="Lost key", secret="two")
    before = AuthClient.objects.get(pk=readable.pk).secret_encrypted
    settings.TEAMSADMIN_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]

    with pytest.raises(CommandError, match=r"1 of 2 client secrets cannot be decrypted.*Lost key"):
        call_command("rotate_encryption_key")

    assert AuthClient.objects.get(pk=readable.pk).secret_encrypted == before


@pytest.mark.django_db
def test_rotate_encryption_key_reports_a_malformed_key(settings: SettingsWrapper) -> None:
    AuthClientFactory.create()
    settings.TEAMSADMIN_ENCRYPTION_KEYS = ["garbage"]
    with pytest.raises(CommandError, match="not a valid Fernet key"):
        call_command("rotate_encryption_key")
