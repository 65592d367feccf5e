"""Our password rules (等保 2.0 level 3), beside Django's common-password and similarity ones:

- `CharacterClassesValidator`: at least `min_length` characters that are not whitespace, from
  at least three of the four classes lowercase, uppercase, digits and symbols. Whitespace
  counts in no class and not in the length: "        1a!" is three characters, not eleven.
  Letters without case (Chinese) count in the length and in no class.
- `DressedUpCommonPasswordValidator`: a common password with its letters swapped for look-alike
  digits and symbols, or with digits and symbols added at its end (`Passw0rd!`, `P@ssword1`,
  `qwerty123!`), is still that common password.
- `PasswordHistoryValidator`: none of the last `remember` passwords, the current one included.
  It keeps that history itself, as the hashes Django made: Django calls its `password_changed`
  whenever a password set with `set_password` is saved (the change page, the admin,
  `createsuperuser`, `changepassword`), and not when a login merely re-hashes the same one.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from deputies.models import UsedPassword

if TYPE_CHECKING:
    from deputies.models import User


def character_classes(password: str) -> set[str]:
    """Which of lowercase, uppercase, digit and symbol the password uses (whitespace is none)."""
    found = set()
    for char in password:
        if char.isspace():
            continue
        if char.islower():
            found.add("lowercase")
        elif char.isupper():
            found.add("uppercase")
        elif char.isdigit():
            found.add("digit")
        elif not char.isalnum():
            found.add("symbol")
    return found


class CharacterClassesValidator:
    def __init__(self, min_length: int = 8) -> None:
        self.min_length = min_length

    def validate(self, password: str, user: User | None = None) -> None:
        errors = []
        if sum(1 for char in password if not char.isspace()) < self.min_length:
            errors.append(
                ValidationError(
                    _("The password must have at least %(min_length)d characters, not counting spaces."),
                    code="password_too_short",
                    params={"min_length": self.min_length},
                )
            )
        if len(character_classes(password)) < 3:
            errors.append(
                ValidationError(
                    _(
                        "The password must use at least three of: lowercase letters, uppercase letters, "
                        "digits and symbols."
                    ),
                    code="password_character_classes",
                )
            )
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        return _(
            "Your password must have at least %(min_length)d characters (spaces do not count), with at "
            "least three of: lowercase letters, uppercase letters, digits and symbols (such as !@#$&*)."
        ) % {"min_length": self.min_length}


# The usual look-alikes: 1 stands for l or for i, so both readings are tried.
LOOK_ALIKES = str.maketrans({"0": "o", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
# What is added at the end to dress a word up: digits, symbols, whitespace.
TRAILING_DRESSING = re.compile(r"[\W\d_]+$")
# Shorter words ("a" and "abc" are on the list) are no disguise worth the name: the rest of the
# password, which the length rule makes long enough, carries it.
SHORTEST_WORD = 4


def undressed(password: str) -> set[str]:
    """The words a password may be a dressed-up form of: lowercased, the digits and symbols at
    its end taken off, the look-alikes read back as letters."""
    word = TRAILING_DRESSING.sub("", password.strip().lower()).translate(LOOK_ALIKES)
    return {word.replace("1", "l"), word.replace("1", "i")}


class DressedUpCommonPasswordValidator(CommonPasswordValidator):
    """Looks the undressed words up in Django's list of common passwords (the one
    CommonPasswordValidator reads: same file, same option `password_list_path`)."""

    def validate(self, password: str, user: User | None = None) -> None:
        if password.lower().strip() in self.passwords:
            return  # plainly common: CommonPasswordValidator says so already
        if any(len(word) >= SHORTEST_WORD and word in self.passwords for word in undressed(password)):
            raise ValidationError(
                _("This password is a common password in disguise (look-alikes, or digits and symbols added)."),
                code="password_dressed_up_common",
            )

    def get_help_text(self) -> str:
        return _("Your password can't be a common password with digits or symbols swapped in or added at the end.")


class PasswordHistoryValidator:
    def __init__(self, remember: int = 5) -> None:
        self.remember = remember

    def validate(self, password: str, user: User | None = None) -> None:
        if user is None:
            return
        # The current password always counts, even if it was set before the history was kept
        # or stored as a ready hash (as the demo and the test factories do).
        hashes = [user.password] if user.password else []
        if user.pk is not None:
            hashes += list(
                UsedPassword.objects.filter(user_id=user.pk).values_list("password", flat=True)[: self.remember]
            )
        # Each check hashes the password again with that hash's own salt (a few tenths of a
        # second with PBKDF2): at most `remember` + 1 of them, once per password change.
        if any(check_password(password, encoded) for encoded in dict.fromkeys(hashes)):
            raise ValidationError(
                _("This password was used recently: it can't be any of your last %(remember)d passwords."),
                code="password_reused",
                params={"remember": self.remember},
            )

    def password_changed(self, password: str, user: User | None = None) -> None:
        """Remember the new password's hash; forget those older than the last `remember`."""
        if user is None or user.pk is None:
            return
        with transaction.atomic():
            UsedPassword.objects.create(user=user, password=user.password)
            kept = UsedPassword.objects.filter(user=user).values_list("pk", flat=True)[: self.remember]
            UsedPassword.objects.filter(user=user).exclude(pk__in=list(kept)).delete()

    def get_help_text(self) -> str:
        return _("Your password can't be any of your last %(remember)d passwords (the current one included).") % {
            "remember": self.remember
        }
