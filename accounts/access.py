"""Who may open which page: one role per user, admins everywhere."""

from functools import wraps

from django.core.exceptions import PermissionDenied

from .models import StaffProfile

Role = StaffProfile.Role


def role_of(user) -> str | None:
    """The user's role; superusers are admins; a user without a profile has none."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.ADMIN
    profile = getattr(user, "staff", None)
    return profile.role if profile else None


def role_required(*roles: str):
    """Refuse (403) every user whose role is not one of roles; admins always pass."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            role = role_of(request.user)
            if role is None or (role not in roles and role != Role.ADMIN):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
