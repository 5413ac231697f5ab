"""The `retorno` command: Django's management commands with Retorno's settings.

retorno migrate | serve [--host H] [--port P] | worker | demo | createstore SLUG --api-key KEY
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["retorno", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
