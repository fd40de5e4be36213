#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "billing_site.settings")
    from django.core.management import execute_from_command_line

    from billing_site.local_services import LocalServiceError

    try:
        execute_from_command_line(sys.argv)
    except LocalServiceError as error:  # the project's own servers: say what to do, no traceback
        sys.exit(f"error: {error}")


if __name__ == "__main__":
    main()
