"""Local demo: `make demo`. Only here do secrets have defaults; never deploy with these settings."""

import os

os.environ.setdefault("QIANCUN_SECRET_KEY", "demo-only-insecure-key-do-not-deploy-6a7f0c1e")

from .base import *  # noqa: E402,F403

DEBUG = os.environ.get("QIANCUN_DEBUG", "0") == "1"
# Demo only: changing it makes the demo's encrypted ID numbers and phones unreadable (re-seed then).
QIANCUN_PERSONAL_DATA_KEY = os.environ.get("QIANCUN_PERSONAL_DATA_KEY", "demo-only-personal-data-key-3f9c1a7e")
WHITENOISE_USE_FINDERS = True

# The demo lets visitors try every role without an authenticator app: the second factor is offered
# to everyone but required of no one (production requires it of administrators, see base.py).
# Set QIANCUN_DEMO_OTP_ROLES=admin to see the production behaviour in the demo.
QIANCUN_OTP_REQUIRED_ROLES = set(os.environ.get("QIANCUN_DEMO_OTP_ROLES", "").split())
QIANCUN_DEMO_DATA_ALLOWED = True
