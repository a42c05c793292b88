#!/usr/bin/env python
"""qiancun's management entry point: `python manage.py <command>`."""

import os
import sys
from pathlib import Path


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))
    # Like wsgi.py: production unless told otherwise, so a command on a server never runs with the demo's
    # public secrets. `make demo` and the other make targets name their settings.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qiancun.settings.production")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
