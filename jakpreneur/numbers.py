"""Numbers read from requests: ASCII digits only, and never bigger than asked for.

`str.isdigit()` says yes to "²" and "٣" (which `int()` then refuses or accepts), and
`int()` takes "9" * 30 happily, which the database then cannot hold. Every number a view,
form or pager reads from a request goes through `positive_int`.
"""

import re

# Big enough for any primary key (PostgreSQL integer / bigint ids are below this).
MAX_ID = 2**63 - 1
_DIGITS = re.compile(r"[0-9]{1,19}")


def positive_int(text, *, maximum: int = MAX_ID) -> int | None:
    """The whole number 1..maximum that `text` spells in ASCII digits, else None."""
    if not isinstance(text, str):
        return None
    if not _DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if 1 <= number <= maximum else None
