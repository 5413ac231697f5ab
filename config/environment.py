"""Reading the environment: django-environ, with one rule more.

A variable set to nothing (`NAME=`, as `.env.example` lists most of them, or an empty value a
container passes on) counts as not set: its default applies, and a variable without a default
says it must be set. django-environ alone would read "" as the value and fail on it (a database
URL, a number) or keep it (an empty list of hosts).
"""

from __future__ import annotations

import os
from pathlib import Path

import environ


class Env(environ.Env):
    def __init__(self, **scheme: object) -> None:
        super().__init__(**scheme)
        # Read at creation: after `.env` is loaded into the process environment.
        self.ENVIRON = {name: value for name, value in os.environ.items() if value != ""}


def load(env_file: Path) -> Env:
    """The environment with `env_file` (if present) under it: a variable the process already
    has wins over the file's."""
    environ.Env.read_env(env_file, overwrite=False)
    return Env()
