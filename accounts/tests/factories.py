import factory
from django.contrib.auth import get_user_model

from accounts.models import Role, StaffProfile
from programs.models import Agency
from wilayah.models import City, District, Village

PASSWORD = "rahasia-uji-123"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"petugas{n}")
    first_name = "Petugas"
    password = factory.django.Password(PASSWORD)


def staff_user(role: str, scope: str = "", **kwargs):
    """A user with a staff profile: scope is a kelurahan/kecamatan/kota code or KOTA:SUDIN."""
    profile = {}
    if role == Role.KELURAHAN:
        profile["village"] = Village.objects.get(code=scope or "31.73.08.1005")
    elif role == Role.KECAMATAN:
        profile["district"] = District.objects.get(code=scope or "31.73.08")
    elif role == Role.PIMPINAN:
        profile["city"] = City.objects.get(code=scope or "31.73")
    elif role == Role.SUDIN:
        city_code, _sep, short_name = (scope or "31.73:PPKUKM").partition(":")
        profile["agency"] = Agency.objects.get(
            city__code=city_code, short_name=short_name
        )
    is_admin = role == Role.ADMIN
    user = UserFactory(is_staff=is_admin, is_superuser=is_admin, **kwargs)
    StaffProfile.objects.create(user=user, role=role, **profile)
    return user
