"""Outreach (sosialisasi): the activities that bring news of Jakpreneur to residents.

Floor 4, beside `programs` (it names a Suku Dinas as organiser): it imports from
programs, participants, accounts, wilayah and jakpreneur; `reports` (floor 5) reads its
selectors for the dashboard's outreach panel.
"""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "outreach"
    verbose_name = _("Sosialisasi")
