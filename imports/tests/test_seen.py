import random

import pytest

from imports.seen import SeenNiks


def test_seen_niks_keeps_every_nik_through_growth_like_a_dict():
    randomness = random.Random(12)
    seen, expected = SeenNiks(bits=2), {}
    for n in range(20_000):
        nik = randomness.randrange(3100000000000001, 9999999999999999)
        if n % 7 == 0 and expected:  # some NIKs again: their facts overwritten
            nik = randomness.choice(list(expected))
        facts = (n + 2, randomness.getrandbits(32), n % 5)
        seen.put(nik, row=facts[0], fingerprint=facts[1], program=facts[2])
        expected[nik] = facts

    assert len(seen) == len(expected)
    assert all(seen.get(nik) == facts for nik, facts in expected.items())
    assert seen.get(3173084508900001) is None


def test_niks_sharing_a_slot_are_told_apart():
    seen = SeenNiks(bits=1)  # two slots: the NIKs collide, and the table grows
    seen.put(3173084508900001, row=2, fingerprint=7, program=0)
    seen.put(3173084508900002, row=3, fingerprint=8, program=1)

    assert seen.get(3173084508900001) == (2, 7, 0)
    assert seen.get(3173084508900002) == (3, 8, 1)
    assert seen.get(3173084508900003) is None


def test_a_nik_of_zero_is_refused():
    with pytest.raises(ValueError):
        SeenNiks().put(0, row=2, fingerprint=0, program=0)
