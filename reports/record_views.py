"""Pages of the deputies' yearly records (履职档案) and the printable reply letter (答复函).

- `my_record`: the deputy's own record (phone first), from the deputy's menu and workbench;
- `deputy_records`: every serving deputy's counts for a year, for those who oversee the
  handling, with the filters "led none" and "rated late" (reports/records.py says what late is);
- `deputy_record`, `deputy_record_pdf`: one deputy's record as a page and as a yearly A4 PDF;
- `reply_letter`: a reply rendered from its facts in the official letter format, to print, sign
  and seal (the signed scan is uploaded afterwards, as before).

Every refusal answers 404 and is audited (`deputies.access.refuse`).
"""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString

from deputies import access
from deputies.access import deputy_id_of, refuse
from deputies.http import AuthenticatedHttpRequest
from deputies.models import Deputy
from deputies.streams import told_for, words_of
from handling.access import get_reply_for_user
from handling.models import Reply
from proposals.models import CoSignature
from proposals.tables import url_maker
from reports import records
from reports.pdf import render_document, render_pdf

RECORD_TEMPLATE = "reports/deputy_record.html"
RECORD_PDF_TEMPLATE = "reports/deputy_record_pdf.html"
LETTER_TEMPLATE = "reports/reply_letter.html"
LETTER_CSS = "reports/letter.css"


def pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _year(request: HttpRequest) -> int:
    years = records.record_years()
    try:
        wanted = int(request.GET.get("year", ""))
    except ValueError:
        wanted = None
    return wanted if wanted in years else records.default_year()


def _deputy_for(request: HttpRequest, pk: int) -> Deputy:
    deputy = get_object_or_404(Deputy.objects.select_related("delegation"), pk=pk)
    if not access.allowed(request.user, "view_deputy_record", deputy):
        raise refuse(request, f"deputy record {pk}")
    return deputy


def _record_page(request: HttpRequest, deputy: Deputy, *, own: bool) -> HttpResponse:
    year = _year(request)
    return render(
        request,
        RECORD_TEMPLATE,
        {
            "record": records.deputy_record(deputy, year),
            "years": records.record_years(),
            "year": year,
            "own": own,
            "window_days": records.rating_window().days,
        },
    )


@login_required
def my_record(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not access.allowed(request.user, "view_own_record"):
        raise refuse(request, "own deputy record")
    deputy = get_object_or_404(Deputy.objects.select_related("delegation"), pk=deputy_id_of(request.user))
    return _record_page(request, deputy, own=True)


@login_required
def deputy_record(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    deputy = _deputy_for(request, pk)
    return _record_page(request, deputy, own=deputy.pk == deputy_id_of(request.user))


@login_required
def deputy_record_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    deputy = _deputy_for(request, pk)
    year = _year(request)
    record = records.deputy_record(deputy, year)
    context = {"record": record, "generated_on": timezone.localdate(), "window_days": records.rating_window().days}
    # Written in the congress's words; a member's record is told in the CPPCC's, what people
    # wrote (names, titles) kept as written.
    html = told_for(deputy.stream)(render_to_string(RECORD_PDF_TEMPLATE, context))
    person = words_of(deputy.stream).person
    return pdf_response(render_document(html).write_pdf(), f"{deputy.name}-{year}年{person}履职档案.pdf")


@login_required
def deputy_records(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not access.allowed(request.user, "view_deputy_records"):
        raise refuse(request, "deputy records")
    year = _year(request)
    only = request.GET.get("only", "")
    only = only if only in records.FILTERS else ""
    # The people of the streams the user works on: one body's staff never list the other's.
    rows = records.record_rows(year, of=access.of_users_streams(request.user, Deputy.objects.all(), ""), only=only)
    return render(
        request,
        "reports/deputy_records.html",
        {
            "rows": _record_rows_html(rows, year),
            "year": year,
            "years": records.record_years(),
            "filter_by": only,
            "window_days": records.rating_window().days,
        },
    )


# One deputy's row of templates/reports/deputy_records.html, written out whole: a city congress
# has hundreds of deputies, a big one thousands, and a row drawn by the template took a dozen
# lookups and two URL reversals (a quarter of a second for 2,000 rows).
_RECORD_ROW = (
    '<tr><td><a href="{record}">{name}</a></td><td>{delegation}</td>'
    '<td class="num">{led}</td><td class="num">{cosigned}</td><td class="num">{contacts}</td>'
    '<td class="num">{face_to_face}</td><td class="num">{rated}</td><td class="num">{late}</td>'
    '<td class="num">{key}</td><td class="num">{promises}</td><td><a href="{pdf}">PDF</a></td></tr>'
)


def _record_rows_html(rows: list[records.RecordRow], year: int) -> list[SafeString]:
    """The rows of the deputies' table, each text escaped (the counts are numbers)."""
    record, pdf = url_maker("reports:deputy_record"), url_maker("reports:deputy_record_pdf")
    query = f"?year={year:d}"
    html_rows = []
    for row in rows:
        deputy, pk = row.deputy, str(row.deputy.pk)
        delegation = deputy.delegation.name if deputy.delegation is not None else ""
        html_rows.append(
            SafeString(
                _RECORD_ROW.format(
                    record=escape(record[0] + pk + record[1] + query),
                    pdf=escape(pdf[0] + pk + pdf[1] + query),
                    name=escape(deputy.name),
                    delegation=escape(delegation),
                    led=row.led,
                    cosigned=row.cosigned,
                    contacts=row.contacts,
                    face_to_face=row.face_to_face,
                    rated=row.rated,
                    late=row.late,
                    key=row.key,
                    promises=row.promises,
                )
            )
        )
    return html_rows


@login_required
def reply_letter(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    reply = get_reply_for_user(request, pk, "print_reply_letter")
    data = render_pdf(LETTER_TEMPLATE, letter_context(reply), LETTER_CSS)
    proposal = reply.assignment.proposal
    return pdf_response(data, f"答复函-{proposal.number_label or proposal.pk}-{reply.assignment.unit.name}.pdf")


def letter_context(reply: Reply) -> dict[str, object]:
    """The facts a letter states: the unit (函头, 落款), the reference number (文号), the title, the
    deputy addressed, the text with what is done and promised, the date and the contact."""
    proposal = reply.assignment.proposal
    dated = reply.issued_at or reply.approved_at
    cosigners = list(
        CoSignature.objects.filter(proposal=proposal, status=CoSignature.Status.CONFIRMED)
        .order_by("pk")
        .values_list("deputy__name", flat=True)
    )
    words = proposal.words  # a proposal's letter names a proposal and a member
    label = words.number(proposal.number)
    return {
        "reply": reply,
        "words": words,
        "numbered": label if label.endswith(str(words.item)) else f"{label}{words.item}",
        "unit": reply.assignment.unit,
        "proposal": proposal,
        "meeting": proposal.meeting,
        "deputy": proposal.lead_deputy,
        "cosigners": cosigners,
        "round": reply.round,
        "date": timezone.localtime(dated).date() if dated else None,
        "is_draft": reply.state not in (Reply.State.APPROVED, Reply.State.ISSUED),
        "paragraphs": [line.strip() for line in reply.body.splitlines() if line.strip()],
        "done": [line.strip() for line in reply.done_items.splitlines() if line.strip()],
        "promised": [line.strip() for line in reply.promised_items.splitlines() if line.strip()],
        "not_adopted": [line.strip() for line in reply.not_adopted_reason.splitlines() if line.strip()],
    }
