"""A password validator for what anyone could guess here (AUTH_PASSWORD_VALIDATORS)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The published demo password, the app's name and the province's and its cities' names:
# the first words someone guessing a Jakpreneur password tries (NIST SP 800-63B 3.1.1.2).
CONTEXT_WORDS = frozenset(
    {
        "jakpreneur",
        "jakarta",
        "dkijakarta",
        "pemprovdki",
        "jakartabarat",
        "jakartatimur",
        "jakartautara",
        "jakartaselatan",
        "jakartapusat",
    }
)


def _letters(text: str) -> str:
    return "".join(character for character in text.casefold() if character.isalpha())


class GuessablePasswordValidator:
    """Refuse the demo password (`jakpreneur`, or DEMO_PASSWORD) and the words above, also
    with only digits or punctuation around them ('Jakpreneur2025!', 'jakarta-barat')."""

    def validate(self, password: str, user=None) -> None:
        demo = settings.DEMO_PASSWORD
        guessable = (CONTEXT_WORDS | {_letters(demo)}) - {""}
        if password == demo or _letters(password) in guessable:
            raise ValidationError(
                _(
                    "Kata sandi ini mudah ditebak: kata sandi demo, atau nama aplikasi, "
                    "provinsi atau kota dengan angka atau tanda baca saja. Pilih kata "
                    "sandi lain."
                ),
                code="password_guessable",
            )

    def get_help_text(self) -> str:
        return _(
            "Kata sandi Anda tidak boleh kata sandi demo, atau nama aplikasi, provinsi "
            "atau kota."
        )
