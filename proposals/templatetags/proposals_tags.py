"""Template helpers every page uses: deadlines shown as days left or overdue, the access rules
(so a template shows a button only to those who may press it), and the places where later
apps include their parts (`{% slot %}`, see proposals/hooks.py)."""

from __future__ import annotations

import datetime as dt
import re

from django import template
from django.template import Context
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from deputies.access import allowed as rule_allows
from proposals import hooks

register = template.Library()


@register.simple_tag(takes_context=True)
def allowed(context: Context, rule: str, obj: object = None) -> bool:
    """{% allowed "review_proposal" proposal as can_review %}"""
    return rule_allows(context["request"].user, rule, obj)


@register.simple_tag(takes_context=True)
def slot(context: Context, name: str) -> SafeString:
    """{% slot "list.actions" %}: the templates later apps registered for this place, each
    rendered with the page's context, as {% include %} would."""
    assert context.template is not None  # set while a template renders this tag
    engine = context.template.engine
    parts = [engine.get_template(name_).render(context) for name_ in hooks.slot_templates(name)]
    return mark_safe("".join(parts))  # noqa: S308 - our own templates, autoescaped


@register.simple_tag(takes_context=True)
def panel(context: Context, shown: hooks.Shown) -> SafeString:
    """{% panel p %}: a panel a later app registered for this page, rendered within it."""
    assert context.template is not None  # set while a template renders this tag
    template = context.template.engine.get_template(shown.template)
    with context.push(shown.context):
        return mark_safe(template.render(context))  # noqa: S308 - our own template, autoescaped


@register.simple_tag
def list_columns() -> list[hooks.ListColumn]:
    """{% list_columns as columns %}: the columns later apps add to the suggestion lists."""
    return hooks.list_columns()


@register.simple_tag
def due(deadline: dt.date | None, soon_days: int = 7) -> str:
    """A deadline as people read it: “还剩 23 天” or, in red, “超期 5 天”."""
    if deadline is None:
        return ""
    days = (deadline - timezone.localdate()).days
    if days < 0:
        return format_html(
            '<span class="due overdue" title="{}">{}</span>',
            deadline.isoformat(),
            _("%(n)s days overdue") % {"n": -days},
        )
    if days == 0:
        text, css = _("due today"), "due soon"
    else:
        text, css = _("%(n)s days left") % {"n": days}, "due soon" if days <= soon_days else "due"
    return format_html('<span class="{}" title="{}">{}</span>', css, deadline.isoformat(), text)


@register.filter
def minutes(duration: dt.timedelta | None) -> int:
    """A duration in whole minutes (the lockout page says “锁定 30 分钟”)."""
    return int(duration.total_seconds() // 60) if duration else 0


@register.filter
def highlight(text: str, words: list[str] | str | None) -> SafeString:
    """`text` escaped, with each searched word in it marked (<mark class="hit">)."""
    if isinstance(words, str):
        words = words.split()
    found = sorted({w for w in words or [] if w and w.casefold() in text.casefold()}, key=len, reverse=True)
    if not found:
        return escape(text)
    pattern = re.compile("|".join(re.escape(w) for w in found), re.IGNORECASE)
    out, last = [], 0
    for match in pattern.finditer(text):
        out += [escape(text[last : match.start()]), format_html('<mark class="hit">{}</mark>', match.group(0))]
        last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308  # every piece escaped above
