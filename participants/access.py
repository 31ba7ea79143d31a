"""What each role may do with residents. Deny by default."""

from accounts.access import Role, role_of

# Roles that keep residents' records (and so need to see the full NIK).
KEEPERS = {Role.KELURAHAN, Role.KECAMATAN, Role.ADMIN}
READERS = KEEPERS | {Role.PIMPINAN}


def may_list_residents(user) -> bool:
    return role_of(user) in READERS


def may_register_residents(user) -> bool:
    return role_of(user) in KEEPERS


def may_reveal_nik(user) -> bool:
    return role_of(user) in KEEPERS


def may_look_up_by_nik(user) -> bool:
    """Sudin staff find a resident of their kota by exact NIK, to enrol them."""
    return role_of(user) in KEEPERS | {Role.SUDIN, Role.PIMPINAN}
