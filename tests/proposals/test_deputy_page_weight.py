"""Fast on a slow phone: no deputy page ships more than 200 KB of JS and CSS (uncompressed)
beyond what the whole site shares. Measured on the pages as rendered: every stylesheet and
script they link, and any inline ones, minus what the login page (the bare site) links."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from handling import services as hs
from handling.models import Reply
from proposals.models import ProposalState
from tests.factories import ProposalFactory
from tests.workflow import advance

S = ProposalState
pytestmark = pytest.mark.django_db
BUDGET = 200 * 1024


class Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.files: set[str] = set()
        self.inline = 0
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and "stylesheet" in (attrs.get("rel") or ""):
            self.files.add(attrs["href"])
        elif tag == "script" and attrs.get("src"):
            self.files.add(attrs["src"])
        elif tag in ("script", "style"):
            self._in = tag

    def handle_endtag(self, tag):
        self._in = None if tag == self._in else self._in

    def handle_data(self, data):
        if self._in:
            self.inline += len(data.encode())


def assets(html: str) -> Assets:
    parser = Assets()
    parser.feed(html)
    return parser


def size(url: str) -> int:
    assert url.startswith(settings.STATIC_URL) or url.startswith("/" + settings.STATIC_URL), (
        f"{url} is not served by the app (no CDN: intranets have no internet)"
    )
    path = re.sub(r"^/?" + re.escape(settings.STATIC_URL), "", url).split("?")[0]
    found = finders.find(path)
    assert found, f"{url} does not exist"
    return Path(found).stat().st_size


@pytest.fixture
def pages(deputy, cosigner, draft, cast, staff, meeting, category):
    """Every page of this capability, with who opens it."""
    from proposals import services as ps

    ps.invite_cosigners(proposal=draft, deputies=[cosigner], by=deputy.user)
    replied = advance(ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category), S.REPLIED, cast)
    contact = hs.record_contact(
        assignment=replied.assignments.get(),
        by=cast.handler,
        kind="phone",
        stage="before",
        contact_date=dt.date.today(),
        people="王建国",
        summary="电话沟通",
    )
    reply = Reply.objects.get(assignment__proposal=replied)
    question = hs.ask_unit_before_submission(proposal=draft, unit=cast.unit, question="问", by=deputy.user)
    d = deputy.user
    return [
        (d, reverse("proposals:mine")),
        (d, reverse("proposals:new")),
        (d, reverse("proposals:edit", args=[draft.pk])),
        (d, reverse("proposals:mine_detail", args=[replied.pk])),
        (d, reverse("proposals:invite", args=[draft.pk])),
        (d, reverse("proposals:withdraw", args=[draft.pk])),
        (d, reverse("proposals:notifications")),
        (d, reverse("handling:rate", args=[reply.pk])),
        (d, reverse("handling:contact_answer", args=[contact.pk])),
        (d, reverse("handling:reply_comment", args=[reply.pk])),
        (d, reverse("handling:ask_unit", args=[draft.pk])),
        (cosigner.user, reverse("proposals:mine_detail", args=[draft.pk])),
        (cast.handler, reverse("handling:questions")),
        (cast.handler, reverse("handling:question_answer", args=[question.pk])),
        (staff, reverse("handling:unrated_replies")),
        (staff, reverse("handling:paper_rating", args=[reply.pk])),
    ]


def test_no_page_ships_more_than_200_kb_of_its_own_js_and_css(client, pages):
    shared = assets(client.get(reverse("login")).content.decode()).files
    assert any(url.endswith("app.css") for url in shared)
    weights = {}
    for user, url in pages:
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, url
        found = assets(response.content.decode())
        own = found.files - shared
        weights[url] = sum(size(u) for u in own) + found.inline
        # Every asset, shared or not, is served by the app itself.
        for asset in found.files:
            size(asset)
    heaviest = max(weights, key=weights.get)
    shared_bytes = sum(size(u) for u in shared if u.endswith((".css", ".js")))
    print(f"\nshared by the whole site: {shared_bytes} bytes")  # run with -s to see the figures
    for url, weight in sorted(weights.items(), key=lambda item: -item[1]):
        print(f"{weight:>8} bytes of its own JS+CSS  {url}")
    assert weights[heaviest] <= BUDGET, (heaviest, weights[heaviest])
    # The budget is meaningful: the measurement sees the pages' own files.
    assert weights[reverse("proposals:mine")] >= size("/static/css/deputy.css")
    assert weights[pages[2][1]] >= size("/static/css/deputy.css") + size("/static/js/deputy-draft.js")
