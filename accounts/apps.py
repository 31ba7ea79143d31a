from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Akun petugas")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .middleware import session_start

        # Session bookkeeping, not a business rule: the clocks of a session start at sign-in.
        user_logged_in.connect(session_start, dispatch_uid="accounts.session_start")
