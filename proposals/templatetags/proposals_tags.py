"""Template helpers every page uses: deadlines shown as days left or overdue, the access rules
(so a template shows a button only to those who may press it), and the places where later
apps include their parts (`{% slot %}`, see proposals/hooks.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django import template
from django.template import Context
from django.utils.safestring import SafeString, mark_safe

from deputies.access import allowed as rule_allows
from deputies.streams import stream_words as speak_stream
from deputies.streams import words_of
from proposals import hooks, tables
from proposals.models import Proposal

register = template.Library()


@register.simple_tag(takes_context=True)
def allowed(context: Context, rule: str, obj: object = None) -> bool:
    """{% allowed "review_proposal" proposal as can_review %}"""
    return rule_allows(context["request"].user, rule, obj)


class StreamWordsNode(template.Node):
    def __init__(self, item: template.base.FilterExpression, nodelist: template.NodeList) -> None:
        self.item = item
        self.nodelist = nodelist

    def render(self, context: Context) -> SafeString:
        item = self.item.resolve(context)
        stream = getattr(item, "stream", None)
        if not isinstance(stream, str):  # no item here: the page's words stay
            return self.nodelist.render(context)
        with speak_stream(stream), context.push(words=words_of(stream)):
            return self.nodelist.render(context)


@register.tag
def stream_words(parser: template.base.Parser, token: template.base.Token) -> StreamWordsNode:
    """{% stream_words proposal %}…{% endstream_words %}: the block speaks the item's stream's
    words (deputies/streams.py): its sentences and `{{ words }}`."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("{% stream_words item %} takes one item")
    nodelist = parser.parse(("endstream_words",))
    parser.delete_first_token()
    return StreamWordsNode(parser.compile_filter(bits[1]), nodelist)


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
    return tables.due(deadline, soon_days)


@register.simple_tag
def table_rows(rows: Iterable[Proposal], select: bool = False, words: list[str] | None = None) -> list[SafeString]:
    """{% table_rows rows select search_words as table %}: the suggestion table's rows, made in
    Python, the searched words marked in the titles."""
    return tables.table_rows(rows, select=bool(select), words=words or ())


@register.filter
def minutes(duration: dt.timedelta | None) -> int:
    """A duration in whole minutes (the lockout page says “锁定 30 分钟”)."""
    return int(duration.total_seconds() // 60) if duration else 0


@register.filter
def highlight(text: str, words: list[str] | str | None) -> SafeString:
    """`text` escaped, with each searched word in it marked (<mark class="hit">)."""
    return tables.highlight(text, words)
