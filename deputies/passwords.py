"""Our password rule: letters, digits and symbols all present (等保 2.0 level 3)."""

from __future__ import annotations

import string
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from deputies.models import User


class CharacterClassesValidator:
    def validate(self, password: str, user: User | None = None) -> None:
        has_letter = any(c.isascii() and c.isalpha() for c in password)
        has_digit = any(c.isdigit() for c in password)
        has_symbol = any(c in string.punctuation or c == " " for c in password)
        if not (has_letter and has_digit and has_symbol):
            raise ValidationError(
                _("The password must contain letters, digits and symbols."),
                code="password_character_classes",
            )

    def get_help_text(self) -> str:
        return _("Your password must contain letters, digits and symbols (such as !@#$%).")
