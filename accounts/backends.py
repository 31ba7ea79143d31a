"""Sign-in with a username and password, and the signed-in user of each request.

Django's ModelBackend reads the user by id on every request; the staff profile (role and
area), which the access policy and the menu need on every page, then cost a second query.
StaffBackend reads both in one (a join), its SQL compiled once per process, otherwise it
is ModelBackend.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied, ValidationError

from jakpreneur.prepared import PreparedQuery


class StaffBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username, password, **kwargs)
        if user is None and username is not None:
            # A refused password stops here: Django's ModelBackend, listed after this one
            # only for sessions signed in before it, would check the password again.
            raise PermissionDenied
        return user

    def get_user(self, user_id):
        try:
            pk = get_user_model()._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        user = _USER_WITH_STAFF.get(pk)
        return user if user is not None and self.user_can_authenticate(user) else None


# Every request's user: its SQL compiled once per process (jakpreneur.prepared).
_USER_WITH_STAFF = PreparedQuery(
    lambda pk: get_user_model()._default_manager.select_related("staff").filter(pk=pk)
)
