"""The public intake of residents' matters: its forms and what keeps abuse out without an
account or an external captcha.

- **A question a person answers** (`Challenge`): a small sum in Chinese characters
  (“三加四等于几？”), answered in digits. The form carries a signed token with the time it was
  made and a keyed hash of the answer, so it works offline, on any phone, with no session
  and no script; a script that posts at once (before `RESIDENT_MIN_FILL_SECONDS`) or with an
  old token (`RESIDENT_CHALLENGE_MAX_AGE`) is refused.
- **A field people never see** (`website`, hidden by the stylesheet): a form that fills it
  was filled by a program.
- **Rate limits per address** (`RateLimit`, a counter in the cache per hour):
  `RESIDENT_MATTERS_PER_HOUR` matters received, `RESIDENT_LOOKUPS_PER_HOUR` lookups tried.
- **Size limits**: the text (`RESIDENT_TEXT_MAX_CHARS`), the photo (`RESIDENT_PHOTO_MAX_MB`,
  a real JPG or PNG within `UPLOAD_IMAGE_MAX_MEGAPIXELS`, judged by its bytes, never by its
  name or the type the browser claims).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from typing import Any

from django import forms
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import MaxLengthValidator
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deputies.audit import client_ip

# --- the question -------------------------------------------------------------------------------

NUMERALS = "零一二三四五六七八九十"
SALT = "deputies.intake.challenge"


def _keyed(answer: int, nonce: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{nonce}:{answer}".encode(), hashlib.sha256).hexdigest()[:16]


class Challenge:
    """A sum of two numbers from one to nine, asked in Chinese characters."""

    def __init__(self, a: int, b: int, token: str) -> None:
        self.a, self.b, self.token = a, b, token

    @classmethod
    def new(cls, now: float | None = None) -> Challenge:
        a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
        nonce = secrets.token_hex(6)
        issued = int(now if now is not None else time.time())
        token = signing.dumps({"q": [a, b], "n": nonce, "h": _keyed(a + b, nonce), "t": issued}, salt=SALT)
        return cls(a, b, token)

    @property
    def question(self) -> str:
        return _("What is %(a)s plus %(b)s? (answer in digits)") % {"a": NUMERALS[self.a], "b": NUMERALS[self.b]}

    @classmethod
    def from_token(cls, token: str) -> Challenge | None:
        data = _load(token)
        if data is None:
            return None
        a, b = data["q"]
        return cls(int(a), int(b), token)


def _load(token: str) -> dict[str, Any] | None:
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.RESIDENT_CHALLENGE_MAX_AGE)
    except signing.BadSignature:  # tampered with, or too old (SignatureExpired is one)
        return None
    return data if isinstance(data, dict) and {"q", "n", "h", "t"} <= data.keys() else None


def check_answer(token: str, answer: str, now: float | None = None) -> str | None:
    """None when the answer is right and the form was not sent too fast; else why not."""
    data = _load(token)
    if data is None:
        return _("The page was open too long. Please answer the new question.")
    now = now if now is not None else time.time()
    if now - float(data["t"]) > settings.RESIDENT_CHALLENGE_MAX_AGE:
        return _("The page was open too long. Please answer the new question.")
    if now - float(data["t"]) < settings.RESIDENT_MIN_FILL_SECONDS:
        return _("That was sent too fast. Please check what you wrote and send it again.")
    digits = answer.strip().translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if not digits.isdigit() or not hmac.compare_digest(_keyed(int(digits), str(data["n"])), str(data["h"])):
        return _("The answer to the question is not right. Please try again.")
    return None


# --- rate limits ----------------------------------------------------------------------------------


class RateLimit:
    """At most `limit()` events per address and hour, counted in the cache (shared by every
    web instance when the cache is Redis)."""

    def __init__(self, name: str, setting: str) -> None:
        self.name, self.setting = name, setting

    def limit(self) -> int:
        value: int = getattr(settings, self.setting)
        return value

    def _key(self, request: HttpRequest) -> str:
        return f"ratelimit:{self.name}:{client_ip(request) or '-'}:{int(time.time() // 3600)}"

    def exceeded(self, request: HttpRequest) -> bool:
        return int(cache.get(self._key(request), 0)) >= self.limit()

    def hit(self, request: HttpRequest) -> None:
        key = self._key(request)
        if not cache.add(key, 1, timeout=3600):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, timeout=3600)


MATTERS = RateLimit("matters", "RESIDENT_MATTERS_PER_HOUR")
LOOKUPS = RateLimit("lookups", "RESIDENT_LOOKUPS_PER_HOUR")


# --- the photo -------------------------------------------------------------------------------------

JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def check_photo(upload: UploadedFile) -> None:
    """Raise ValidationError (Chinese) unless `upload` is a JPG or PNG within the limits."""
    limit = settings.RESIDENT_PHOTO_MAX_MB * 1024 * 1024
    if upload.size is None or upload.size == 0:
        raise ValidationError(_("The photo is empty."))
    if upload.size > limit:
        raise ValidationError(
            _("The photo is %(size).1f MB; it may be at most %(limit)s MB.")
            % {"size": upload.size / 1024 / 1024, "limit": settings.RESIDENT_PHOTO_MAX_MB}
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not (head.startswith(JPEG_MAGIC) or head.startswith(PNG_MAGIC)):
        raise ValidationError(_("Only a photo (JPG or PNG) can be added."))
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(upload) as image:  # reads the header only: the size without decoding
            width, height = image.size
    except Image.DecompressionBombError as exc:  # Pillow's own limit, far past ours
        raise ValidationError(_("The photo is too large in pixels.")) from exc
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ValidationError(_("The photo is damaged: it cannot be read as a JPG or PNG image.")) from exc
    finally:
        upload.seek(0)
    if width * height > settings.UPLOAD_IMAGE_MAX_MEGAPIXELS * 1_000_000:
        raise ValidationError(_("The photo is too large in pixels."))


# --- the forms --------------------------------------------------------------------------------------

PHONE = re.compile(r"^1\d{10}$|^0\d{2,3}-?\d{7,8}$")


class IntakeForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Your matter"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("What happened, where, and what you would like done."),
    )
    photo = forms.FileField(
        label=gettext_lazy("Photo (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )
    phone = forms.CharField(
        label=gettext_lazy("Mobile phone (optional)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text=gettext_lazy("Only the station and the deputy handling your matter see it, to call you back."),
    )
    answer = forms.CharField(label="", max_length=4, widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    token = forms.CharField(widget=forms.HiddenInput)
    # People never see this field (the stylesheet hides it); programs fill it in.
    website = forms.CharField(required=False, label=gettext_lazy("Leave empty"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        text = self.fields["text"]
        assert isinstance(text, forms.CharField)
        text.max_length = settings.RESIDENT_TEXT_MAX_CHARS
        text.validators.append(MaxLengthValidator(settings.RESIDENT_TEXT_MAX_CHARS))
        text.widget.attrs["maxlength"] = settings.RESIDENT_TEXT_MAX_CHARS
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    def clean_text(self) -> str:
        text: str = self.cleaned_data["text"].strip()
        if not text:
            raise ValidationError(_("Please write your matter."))
        return text

    def clean_phone(self) -> str:
        phone = re.sub(r"[\s()（）]", "", self.cleaned_data.get("phone") or "")
        if phone and not PHONE.match(phone):
            raise ValidationError(_("This is not a phone number (e.g. 13812341234 or 0771-1234567)."))
        return phone

    def clean_photo(self) -> UploadedFile | None:
        photo: UploadedFile | None = self.cleaned_data.get("photo")
        if photo:
            check_photo(photo)
        return photo

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("website"):
            raise ValidationError(_("The form could not be sent. Please try again."))
        problem = check_answer(data.get("token", ""), data.get("answer", ""))
        if problem:
            self.add_error("answer", problem)
        return data


class LookupForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Lookup code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
        help_text=gettext_lazy("The 8 letters and digits you were given when you left your matter."),
    )
