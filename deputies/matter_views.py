"""Pages of residents' matters: the public intake and lookup (no login), and the triage pages
of station staff and deputies (see `deputies.matters` for who sees what)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from deputies import access, intake, matters, qr
from deputies.http import AuthenticatedHttpRequest
from deputies.models import Deputy, LiaisonStation, ResidentMatter, new_code
from deputies.pages import paginate

PAGE_SIZE = 20
SESSION_CODE = "resident_matter_code"

# --- the public: leave a matter, look it up ----------------------------------------------------------


def station_intake(request: HttpRequest, code: str) -> HttpResponse:
    station = get_object_or_404(LiaisonStation, code=code, is_active=True)
    return _intake(request, station=station, deputy=None, name=station.name, area=station.area)


def deputy_intake(request: HttpRequest, code: str) -> HttpResponse:
    deputy = get_object_or_404(Deputy, public_code=code, is_active=True)
    return _intake(request, station=None, deputy=deputy, name=deputy.name, area="")


def _intake(
    request: HttpRequest, *, station: LiaisonStation | None, deputy: Deputy | None, name: str, area: str
) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = intake.IntakeForm(request.POST, request.FILES)
        if intake.MATTERS.exceeded(request):
            form.is_valid()
            form.add_error(None, _("Too many matters were left from this network in the last hour. Please try later."))
            status = 429
        elif form.is_valid():
            data = form.cleaned_data
            try:
                matter, code = matters.receive_matter(
                    text=data["text"], phone=data["phone"], photo=data.get("photo"), station=station, deputy=deputy
                )
            except matters.MatterError as exc:
                form.add_error(None, str(exc))
            else:
                intake.MATTERS.hit(request)
                request.session[SESSION_CODE] = code
                return redirect("intake:received")
        # What was typed stays; the question is a new one (a file input cannot be filled again).
        challenge = intake.Challenge.new()
        data = request.POST.copy()
        data["token"], data["answer"] = challenge.token, ""
        form.data = data
        status = status if status != 200 else 400
    else:
        challenge = intake.Challenge.new()
        form = intake.IntakeForm(initial={"token": challenge.token})
    context = {"form": form, "challenge": challenge, "name": name, "area": area, "deputy": deputy, "station": station}
    return render(request, "deputies/public/intake.html", context, status=status)


def received(request: HttpRequest) -> HttpResponse:
    """The code, shown once after the matter was left (then only the lookup tells it)."""
    code = request.session.pop(SESSION_CODE, None)
    if not code:
        return redirect("intake:lookup")
    return render(request, "deputies/public/received.html", {"code": code})


def lookup(request: HttpRequest) -> HttpResponse:
    form = intake.LookupForm(request.POST or None)
    if request.method == "POST":
        if intake.LOOKUPS.exceeded(request):
            form.is_valid()
            form.add_error(None, _("Too many lookups from this network in the last hour. Please try later."))
            return render(request, "deputies/public/lookup.html", {"form": form}, status=429)
        intake.LOOKUPS.hit(request)
        if form.is_valid():
            matter = matters.matter_by_code(form.cleaned_data["code"])
            if matter is not None:
                matter = ResidentMatter.objects.select_related("station", "deputy", "merged_into").get(pk=matter.pk)
                return render(request, "deputies/public/result.html", {"story": matters.story_of(matter)})
            form.add_error("code", _("No matter has this code. Please check it (letters and digits, 8 in all)."))
    return render(request, "deputies/public/lookup.html", {"form": form})


# --- triage -----------------------------------------------------------------------------------------------


class FilterForm(forms.Form):
    state = forms.ChoiceField(
        label=gettext_lazy("State"),
        required=False,
        choices=[("", gettext_lazy("All")), *ResidentMatter.State.choices],
    )


def _require_inbox(request: AuthenticatedHttpRequest) -> None:
    if not access.allowed(request.user, "triage_matters"):
        raise access.refuse(request, "resident matters inbox")


@login_required
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The matters this person handles, newest first, the phone masked."""
    _require_inbox(request)
    form = FilterForm(request.GET or None)
    queryset = matters.matters_for(request.user)
    state = form.cleaned_data.get("state") if form.is_valid() else ""
    counts = {row["state"]: row["n"] for row in _state_counts(queryset)}
    if state:
        queryset = queryset.filter(state=state)
    page = paginate(request, queryset.order_by("-received_at", "-pk"), per_page=PAGE_SIZE)
    states = [(value, label, counts.get(value, 0)) for value, label in ResidentMatter.State.choices]
    return render(
        request,
        "deputies/matters/inbox.html",
        {"page": page, "form": form, "state": state, "states": states, "total": sum(counts.values())},
    )


def _state_counts(queryset: QuerySet[ResidentMatter]) -> Any:
    return queryset.order_by().values("state").annotate(n=Count("pk"))


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=gettext_lazy("Answer to the resident"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )


class CloseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why it is not taken further (the resident reads this)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


def _merge_candidates(request: AuthenticatedHttpRequest, matter: ResidentMatter) -> Any:
    """Other new matters of the same station or deputy that this person handles."""
    if matter.state == ResidentMatter.State.MERGED:
        return ResidentMatter.objects.none()
    same = ResidentMatter.objects.none()
    queryset = matters.matters_for(request.user).filter(state=ResidentMatter.State.NEW).exclude(pk=matter.pk)
    if matter.station_id is not None:
        same = queryset.filter(station_id=matter.station_id)
    if matter.deputy_id is not None:
        same = same | queryset.filter(deputy_id=matter.deputy_id)
    return same.order_by("-received_at", "-pk")[:50]


def _detail(
    request: AuthenticatedHttpRequest,
    matter: ResidentMatter,
    *,
    answer_form: AnswerForm | None = None,
    close_form: CloseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    is_new = matter.state == ResidentMatter.State.NEW
    context = {
        "matter": matter,
        "events": matter.events.select_related("actor"),
        "outcomes": matters.outcome_of(matter),
        "merged": matter.merged_matters.order_by("pk"),
        "is_new": is_new,
        "can_close": matter.state in (ResidentMatter.State.NEW, ResidentMatter.State.FORWARDED),
        "answer_form": answer_form or AnswerForm(),
        "close_form": close_form or CloseForm(),
        "candidates": _merge_candidates(request, matter) if matter.state != ResidentMatter.State.MERGED else [],
        "actions": matters.actions_for(request, matter),
    }
    return render(request, "deputies/matters/detail.html", context, status=status)


@login_required
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One matter, whole (the phone unmasked, the photo), with its trail and the triage steps."""
    return _detail(request, matters.matter_for(request, pk))


@login_required
@require_POST
def answer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    matter = matters.matter_for(request, pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            matters.answer_matter(matter=matter, answer=form.cleaned_data["answer"], by=request.user)
        except matters.MatterError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The answer was saved; the resident sees it with the lookup code."))
            return redirect("matters:detail", pk=pk)
    return _detail(request, matter, answer_form=form, status=400)


@login_required
@require_POST
def close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    matter = matters.matter_for(request, pk)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            matters.close_matter(matter=matter, reason=form.cleaned_data["reason"], by=request.user)
        except matters.MatterError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The matter was closed."))
            return redirect("matters:detail", pk=pk)
    return _detail(request, matter, close_form=form, status=400)


@login_required
@require_POST
def merge(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Merge the ticked matters into this one."""
    main = matters.matter_for(request, pk)
    ids = [int(v) for v in request.POST.getlist("members") if v.isdigit()]
    members = list(ResidentMatter.objects.filter(pk__in=ids))
    if len(members) != len(set(ids)):
        raise access.refuse(request, f"resident matters {ids}")
    try:
        matters.merge_matters(main=main, members=members, by=request.user)
    except matters.MatterError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(n)s matters were merged into this one.") % {"n": len(members)})
    return redirect("matters:detail", pk=pk)


@login_required
def photo(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    matter = matters.matter_for(request, pk)
    if not matter.photo:
        raise access.refuse(request, f"resident matter {pk} photo")
    response = FileResponse(matter.photo.open("rb"), content_type=_image_type(matter.photo.name))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _image_type(name: str) -> str:
    return "image/png" if name.lower().endswith(".png") else "image/jpeg"


# --- the cards with the QR codes ---------------------------------------------------------------------


def ensure_public_code(deputy: Deputy) -> str:
    if not deputy.public_code:
        Deputy.objects.filter(pk=deputy.pk, public_code__isnull=True).update(public_code=new_code())
        deputy.refresh_from_db(fields=["public_code"])
    assert deputy.public_code is not None
    return deputy.public_code


def _card(name: str, subtitle: str, path: str, png_url: str) -> dict[str, Any]:
    url = qr.absolute(path)
    return {"name": name, "subtitle": subtitle, "url": url, "svg": qr.svg(url), "png_url": png_url}


@login_required
def cards(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The printable cards (代表码) of this person's deputy record and stations."""
    _require_inbox(request)
    shown = []
    deputy_id = access.deputy_id_of(request.user)
    deputies: list[Deputy] = []
    if deputy_id is not None:
        deputies.append(Deputy.objects.get(pk=deputy_id))
    stations = list(matters.stations_of(request.user).prefetch_related("deputies"))
    for station in stations:
        shown.append(
            _card(
                station.name,
                station.area,
                reverse("intake:station", args=[station.code]),
                reverse("matters:station_qr", args=[station.pk]),
            )
        )
        if matters.is_station_staff(request.user, station):
            deputies.extend(d for d in station.deputies.all() if d not in deputies)
    for deputy in deputies:
        shown.append(
            _card(
                deputy.name,
                _("Deputy"),
                reverse("intake:deputy", args=[ensure_public_code(deputy)]),
                reverse("matters:deputy_qr", args=[deputy.pk]),
            )
        )
    return render(request, "deputies/matters/cards.html", {"cards": shown})


def _png(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="image/png")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def station_qr(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    station = LiaisonStation.objects.filter(pk=pk).first()
    if station is None or not access.allowed(request.user, "print_intake_card", station):
        raise access.refuse(request, f"liaison station {pk} card")
    return _png(qr.png(qr.absolute(reverse("intake:station", args=[station.code]))), f"station-{station.code}.png")


@login_required
def deputy_qr(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    deputy = Deputy.objects.filter(pk=pk).first()
    if deputy is None or not access.allowed(request.user, "print_intake_card", deputy):
        raise access.refuse(request, f"deputy {pk} card")
    code = ensure_public_code(deputy)
    return _png(qr.png(qr.absolute(reverse("intake:deputy", args=[code]))), f"deputy-{code}.png")
