"""Who may see and run which programme. Deny by default."""

from accounts.access import Role, role_of


def may_manage_programs(user) -> bool:
    """Sudin staff run their own agency's trainings; admins all."""
    return role_of(user) in {Role.SUDIN, Role.ADMIN}


def may_propose_residents(user) -> bool:
    """Kelurahan and kecamatan staff propose their residents for open trainings."""
    return role_of(user) in {Role.KELURAHAN, Role.KECAMATAN, Role.ADMIN}


def may_see_coverage(user) -> bool:
    return role_of(user) in {Role.PIMPINAN, Role.SUDIN, Role.ADMIN}
