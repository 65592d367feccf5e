"""Export → import into an empty database → the same figures: the crafted year exported as the
import templates' workbooks, every suggestion, unit and deputy removed, the workbooks imported
back, and every figure of the year compared, the units' table and scores included."""

from __future__ import annotations

import io

import pytest
from django.core.management.color import no_style
from django.db import connection
from django.urls import reverse

from deputies.models import Deputy
from handling.models import Rating, Reply, Unit
from proposals.models import CoSignature, Proposal, ProposalEvent, ProposalState
from reports import excel
from reports import figures as fg
from tests.reports.crafted import AS_OF, YEAR

pytestmark = pytest.mark.django_db
S = ProposalState

EMPTIED = [
    "proposals_proposalevent",
    "proposals_notification",
    "handling_rating",
    "reports_disclosurehold",
    "handling_replyattachment",
    "handling_reply",
    "handling_contactrecord",
    "handling_reassignmentrequest",
    "handling_assignment",
    "supervision_keyitem_proposals",
    "supervision_keyitem",
    "proposals_cosignature",
    "proposals_proposalattachment",
    "proposals_proposal",
    "handling_unitmember",
    "handling_unit",
    "deputies_deputy_terms",
    "deputies_deputy",
    "deputies_delegation",
]


def empty_the_suggestion_tables():
    """Suggestions, their whole history, units and deputies gone; meetings, categories, sources,
    result categories and logins stay (they are the administration's reference data). The
    audit trail refuses DELETE, so this empties the tables as a database operator would."""
    statements = connection.ops.sql_flush(no_style(), EMPTIED, allow_cascade=True)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # TRUNCATE refuses while deferred foreign-key checks are pending: run them first.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for sql in statements:
            cursor.execute(sql)
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def comparable(figures: fg.Figures) -> dict:
    data = figures.as_dict()
    for unit in data["units"]:
        unit.pop("unit_id")  # new rows, new ids; the names are compared
    return data


def test_an_export_imports_into_an_empty_database_with_the_same_figures(year, client):
    scope = fg.Scope(year=YEAR, as_of=AS_OF)
    before = comparable(fg.compute(scope))
    proposals_before = Proposal.objects.exclude(state=S.DRAFT).count()

    client.force_login(year.staff)
    suggestions = client.get(reverse("reports:export_proposals"), {"year": YEAR})
    assert suggestions.status_code == 200
    units = excel.export_units()
    deputies = excel.export_deputies()

    empty_the_suggestion_tables()
    assert not Proposal.objects.exists() and not Unit.objects.exists() and not Deputy.objects.exists()
    assert fg.compute(scope).counts["registered"] == 0

    for kind, data in (("units", units), ("deputies", deputies), ("suggestions", suggestions.content)):
        outcome = excel.run_import(kind, io.BytesIO(data), user=year.staff, dry_run=False, file_name=f"{kind}.xlsx")
        assert outcome.ok, (kind, outcome.errors, [(b.row, b.problems) for b in outcome.bad_rows])

    assert Proposal.objects.count() == proposals_before
    after = comparable(fg.compute(scope))
    assert after == before


def test_the_imported_history_is_consistent_and_marked(year):
    data = excel.export_suggestions(Proposal.objects.exclude(state=S.DRAFT))
    units, deputies = excel.export_units(), excel.export_deputies()
    empty_the_suggestion_tables()
    for kind, content in (("units", units), ("deputies", deputies), ("suggestions", data)):
        assert excel.run_import(kind, io.BytesIO(content), user=year.staff, dry_run=False, file_name="x.xlsx").ok

    # every suggestion's trail starts with the import, by the importing user
    assert ProposalEvent.objects.filter(action="import").count() == Proposal.objects.count()
    assert set(ProposalEvent.objects.values_list("actor", flat=True)) == {year.staff.pk}
    # states agree with the rows written beside them
    for p in Proposal.objects.filter(state=S.CLOSED):
        for a in p.assignments.filter(is_active=True, role__in=fg.ANSWERING):
            standing = a.replies.filter(state="issued").order_by("-round").first()
            assert standing is not None and Rating.objects.filter(reply=standing).exists(), p.title
    for p in Proposal.objects.filter(state=S.REHANDLING):
        assert p.due_on and p.assignments.filter(rehandling_deadline=p.due_on).exists()
    for p in Proposal.objects.filter(state=S.IN_HANDLING):
        assert p.due_on and not Reply.objects.filter(assignment__proposal=p, round=1, state="issued").exists()
    for p in Proposal.objects.filter(state__in=[S.SUBMITTED, S.WITHDRAWN, S.NOT_ACCEPTED, S.REGISTERED]):
        assert not p.assignments.exists()
    c11 = Proposal.objects.get(title="关于c11事项的建议")
    assert list(c11.assignments.get().replies.order_by("round").values_list("round", "result_category__name")) == [
        (1, "因条件限制暂时难以解决"),
        (2, "列入当年计划解决"),
    ]
    c13 = Proposal.objects.get(title="关于c13事项的建议")
    assert sorted(
        c13.assignments.filter(role="separate").values_list("unit__name", "replies__result_category__result_class")
    ) == [("区交通运输局", "C"), ("区教育局", "A")]
    assert not CoSignature.objects.exclude(status="confirmed").exists()
