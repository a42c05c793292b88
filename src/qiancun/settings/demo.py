"""Local demo: `make demo`. Only here do secrets have defaults; never deploy with these settings."""

import os

os.environ.setdefault("QIANCUN_SECRET_KEY", "demo-only-insecure-key-do-not-deploy-6a7f0c1e")

from .base import *  # noqa: E402,F403

DEBUG = os.environ.get("QIANCUN_DEBUG", "0") == "1"
WHITENOISE_USE_FINDERS = True
