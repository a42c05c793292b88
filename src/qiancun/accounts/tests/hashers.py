"""Test settings only: the password history hashes with one PBKDF2 round instead of 200,000."""

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class FastHistoryHasher(PBKDF2PasswordHasher):
    iterations = 1
