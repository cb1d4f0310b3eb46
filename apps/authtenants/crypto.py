"""Client secrets at rest: MultiFernet over TEAMSADMIN_ENCRYPTION_KEYS (first key encrypts, all decrypt)."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

from apps.core.errors import ServiceError


class SecretKeyError(ServiceError):
    """The encryption keys are missing or malformed, or none of them opens a stored secret."""


def _fernet() -> MultiFernet:
    # Built per call from settings so a key change (rotation, tests) takes effect without a restart.
    keys = [key for key in settings.TEAMSADMIN_ENCRYPTION_KEYS if key]
    if not keys:
        raise SecretKeyError(
            "No encryption key is configured: set TEAMSADMIN_ENCRYPTION_KEYS to one or more Fernet keys."
        )
    fernets = []
    for position, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key))
        except (ValueError, TypeError):
            # The key itself is never echoed: it is as sensitive as the secrets it protects.
            raise SecretKeyError(
                f"Encryption key #{position} in TEAMSADMIN_ENCRYPTION_KEYS is not a valid Fernet key "
                "(32 url-safe base64-encoded bytes)."
            ) from None
    return MultiFernet(fernets)


def check_keys() -> None:
    """Raise SecretKeyError unless TEAMSADMIN_ENCRYPTION_KEYS holds only valid Fernet keys."""
    _fernet()


def encrypt(plaintext: str) -> str:
    """Encrypt with the first configured key."""
    return _fernet().encrypt(plaintext.encode()).decode("ascii")


def decrypt(ciphertext: str) -> str:
    """Decrypt with whichever configured key opens the value."""
    try:
        return _fernet().decrypt(ciphertext.encode("ascii")).decode()
    except (InvalidToken, UnicodeError):
        raise SecretKeyError(
            "A stored client secret cannot be decrypted with any key in TEAMSADMIN_ENCRYPTION_KEYS; "
            "add back the key it was encrypted with, or enter the secret again."
        ) from None


def reencrypt(ciphertext: str) -> str:
    """Re-encrypt a stored value with the first key (raises SecretKeyError when no key opens it)."""
    try:
        return _fernet().rotate(ciphertext.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeError):
        raise SecretKeyError(
            "A stored client secret cannot be decrypted with any key in TEAMSADMIN_ENCRYPTION_KEYS."
        ) from None


def generate_key() -> str:
    """A fresh Fernet key, for operators adding a key before rotation."""
    return Fernet.generate_key().decode("ascii")
