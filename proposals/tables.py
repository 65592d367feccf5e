"""The suggestion table (templates/proposals/_table.html): each row's cells made once in Python.

A list page shows 25 rows or more; with a template included per cell and a tag looked up per
row, drawing them cost more than the page's queries. Here each row is written once, escaped,
from what `selectors.table_rows` loaded, with the cells of the columns and title tags later apps
registered (`proposals.hooks`, each called once for the whole table), and the template places
the rows.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, cast

from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from proposals import hooks
from proposals.models import Proposal, ProposalState
from proposals.states import REPLY_DUE_STATES

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from proposals.selectors import TableNames


def due(deadline: dt.date | None, soon_days: int = 7, today: dt.date | None = None) -> SafeString:
    """A deadline as people read it: “还剩 23 天” or, in red, “超期 5 天”."""
    if deadline is None:
        return SafeString("")
    days = (deadline - (today or timezone.localdate())).days
    if days < 0:
        text, css = _("%(n)s days overdue") % {"n": -days}, "due overdue"
    elif days == 0:
        text, css = _("due today"), "due soon"
    else:
        text, css = _("%(n)s days left") % {"n": days}, "due soon" if days <= soon_days else "due"
    # A date and a class of ours; only the sentence is escaped (a table has a deadline a row).
    return SafeString(f'<span class="{css}" title="{deadline.isoformat()}">{_esc(text)}</span>')


def url_maker(name: str) -> tuple[str, str]:
    """The two halves of the URL `name` takes one pk in, around it: reversed once for a whole
    table rather than once a row."""
    marker = 987654321
    url = reverse(name, args=[marker])
    before, _sep, after = url.partition(str(marker))
    return before, after


# One row of templates/proposals/_table.html, written out whole: the template's loop only places
# them (a row drawn by the template took a dozen variable lookups, more than its share of SQL).
_ROW = """
    <tr>
      {check}
      <td class="nowrap">{number}</td>
      <td class="title-cell"><a href="{url}">{title}</a>
        {tags}
        {merged}
        <div class="muted small">{meeting}</div></td>
      <td class="nowrap">{deputy}</td>
      <td class="nowrap">{category}</td>
      {cells}
      <td><span class="pill state-{state}">{state_label}</span></td>
      <td class="nowrap">{due}</td>
    </tr>
  """


def _esc(text: str) -> str:
    """`text` escaped as django.utils.html.escape does, without marking each piece safe."""
    return html.escape(str(text))


def _due_cells(proposals: Sequence[Proposal], today: dt.date) -> list[SafeString]:
    cells = []
    for p in proposals:
        if p.due_on and p.state in REPLY_DUE_STATES:
            cells.append(SafeString(f'{due(p.due_on, today=today)}<div class="muted small">{p.due_on}</div>'))
        else:
            cells.append(SafeString(f'<span class="muted">{p.due_on.isoformat() if p.due_on else "—"}</span>'))
    return cells


def highlight(text: str, words: Sequence[str] | str | None) -> SafeString:
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


def _joined(parts: Iterable[Sequence[SafeString]]) -> list[SafeString]:
    """Each row's parts (one list per column or tag, each with a part per row) side by side."""
    return [SafeString("".join(row)) for row in zip(*parts, strict=True)]


def table_rows(proposals: Iterable[Proposal], *, select: bool = False, words: Sequence[str] = ()) -> list[SafeString]:
    """The rows (`<tr>`) of the suggestion table for these suggestions (loaded by
    `selectors.table_rows`; a list page sets `selectable` on each for its bulk action), the
    searched `words` marked in the titles."""
    proposals = list(proposals)
    named = cast("list[WithAnnotations[Proposal, TableNames]]", proposals)
    if not proposals:
        return []
    before, after = url_maker("proposals:detail")
    cells = _joined(column.cells(proposals) for column in hooks.list_columns())
    tags = _joined(tag(proposals) for tag in hooks.list_tags())
    if not cells:
        cells = [SafeString("")] * len(proposals)
    if not tags:
        tags = [SafeString("")] * len(proposals)
    dues = _due_cells(proposals, timezone.localdate())
    states = {value: str(label) for value, label in ProposalState.choices}
    merged, select_label = _("Merged into %(n)s"), _("Select %(title)s")
    rows = []
    for p, p_tags, p_cells, p_due in zip(named, tags, cells, dues, strict=True):
        check = SafeString("")
        if select:
            box = (
                format_html(
                    '<input type="checkbox" name="ids" value="{}" aria-label="{}">',
                    p.pk,
                    select_label % {"title": p.title},
                )
                if getattr(p, "selectable", False)
                else ""
            )
            check = format_html('<td class="check">{}</td>', box)
        # str.format with each text escaped here (the cells and tags come escaped): format_html
        # would escape every piece again to find most of them safe already.
        rows.append(
            SafeString(
                _ROW.format(
                    check=check,
                    number=_esc(p.number_label or "—"),
                    url=f"{before}{p.pk}{after}",
                    title=highlight(p.title, words) if words else _esc(p.title),
                    tags=p_tags,
                    # A suggestion is merged into one of its own stream: its words number both.
                    merged=format_html(
                        '<span class="tag">{}</span>', merged % {"n": p.words.number(p.merged_into_number)}
                    )
                    if p.merged_into_id
                    else "",
                    meeting=_esc(p.meeting_name),
                    deputy=_esc(p.lead_deputy_name),
                    category=_esc(p.category_name or "—"),
                    cells=p_cells,
                    state=_esc(p.state),
                    state_label=_esc(states.get(p.state, p.state)),
                    due=p_due,
                )
            )
        )
    return rows
