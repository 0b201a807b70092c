"""Second-factor helpers for tests: a real allauth TOTP authenticator with a known secret."""

from __future__ import annotations

import time

from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value

from oglabs.accounts.models import User

TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def activate_totp(user: User, secret: str = TEST_TOTP_SECRET) -> str:
    TOTP.activate(user, secret)
    return secret


def current_totp_code(secret: str = TEST_TOTP_SECRET) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))
