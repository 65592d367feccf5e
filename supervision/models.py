"""Key suggestions (重点督办) and, as the supervision work grows, its records."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from deputies.models import SpecialCommittee
from proposals.models import Proposal


class KeyItem(models.Model):
    """A key item for a year: one theme led by a named leader (领办领导), followed by a special
    committee, gathering one or more suggestions (Chengdu: 8 themes, 29 suggestions)."""

    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    title = models.CharField(_("theme"), max_length=200)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leading leader"),
        on_delete=models.PROTECT,
        related_name="led_key_items",
    )
    committee = models.ForeignKey(
        SpecialCommittee,
        verbose_name=_("special committee"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="key_items",
    )
    proposals = models.ManyToManyField(Proposal, verbose_name=_("suggestions"), related_name="key_items")
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-year", "title"]
        verbose_name = _("key item")
        verbose_name_plural = _("key items")

    def __str__(self) -> str:
        return f"{self.year} · {self.title}"
