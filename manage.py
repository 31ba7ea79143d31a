#!/usr/bin/env python
import os
import secrets
import sys

# Commands that only read and write source files (migrations, translations) sign nothing
# with SECRET_KEY: with none set they get a random one, so they run anywhere with DEBUG off.
# Every other command, and the app itself, still refuses to start without a key of its own.
SOURCE_FILE_COMMANDS = {"makemigrations", "makemessages", "compilemessages"}


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jakpreneur.settings")
    command = sys.argv[1] if len(sys.argv) > 1 else None
    if command in SOURCE_FILE_COMMANDS and not os.environ.get("SECRET_KEY"):
        os.environ["SECRET_KEY"] = f"unused-{secrets.token_urlsafe(32)}"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
