"""What the earlier rows of one file said about each NIK, in 20 bytes a slot.

The checker must tell, for every row, whether an earlier row of the same file had the same
NIK (with other data: an error naming that row; with the same data: unchanged) and the same
programme. A dict of Python ints costs about 120 bytes a NIK (its entry and two int
objects, scattered over the heap, which also keeps freed chunks from going back to the
system); a 1,000,000-row file must be checked and written in well under 300 MB. This table
keeps the same facts in four arrays of machine integers: an open-addressing hash table with
linear probing, never more than 60 % full, so at most 42 MB for a million NIKs (63 MB for a
moment while it grows).
"""

from array import array

# Fibonacci hashing: the NIK's digits (region, birth date, serial) spread over the slots.
_MIX = 0x9E3779B97F4A7C15
_WORD = 2**64 - 1
_MAX_LOAD = 0.6


def _zeros(code: str, size: int) -> array:
    return array(code, [0]) * size


class SeenNiks:
    """NIK (a positive int) -> (first row, 32-bit fingerprint of its resident data, the
    number of its first programme or 0)."""

    def __init__(self, *, bits: int = 12) -> None:
        self._allocate(bits)
        self._count = 0

    def _allocate(self, bits: int) -> None:
        size = 1 << bits
        self._bits, self._mask = bits, size - 1
        self._limit = int(size * _MAX_LOAD)
        self._keys = _zeros("Q", size)
        self._rows = _zeros("I", size)
        self._fingerprints = _zeros("I", size)
        self._programs = _zeros("I", size)

    def __len__(self) -> int:
        return self._count

    def _slot(self, nik: int) -> int:
        """The slot holding the NIK, or the empty slot where it would go."""
        keys, mask = self._keys, self._mask
        i = ((nik * _MIX) & _WORD) >> (64 - self._bits)
        while True:
            key = keys[i]
            if key == nik or key == 0:
                return i
            i = (i + 1) & mask

    def get(self, nik: int) -> tuple[int, int, int] | None:
        """(first row, fingerprint, programme) of the NIK, or None if not seen."""
        i = self._slot(nik)
        if self._keys[i] == 0:
            return None
        return self._rows[i], self._fingerprints[i], self._programs[i]

    def put(self, nik: int, *, row: int, fingerprint: int, program: int) -> None:
        """Remember (or overwrite) what the NIK's first row said."""
        if nik <= 0:
            raise ValueError("A NIK is a positive number.")
        i = self._slot(nik)
        if self._keys[i] == 0:
            if self._count >= self._limit:
                self._grow()
                i = self._slot(nik)
            self._keys[i] = nik
            self._count += 1
        self._rows[i] = row
        self._fingerprints[i] = fingerprint
        self._programs[i] = program

    def _grow(self) -> None:
        keys, rows = self._keys, self._rows
        fingerprints, programs = self._fingerprints, self._programs
        self._allocate(self._bits + 1)
        slot = self._slot
        new_keys, new_rows = self._keys, self._rows
        new_fingerprints, new_programs = self._fingerprints, self._programs
        for old, key in enumerate(keys):
            if key:
                i = slot(key)
                new_keys[i] = key
                new_rows[i] = rows[old]
                new_fingerprints[i] = fingerprints[old]
                new_programs[i] = programs[old]
