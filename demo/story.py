"""One suggestion's history, played step by step through the real services, each step at its
own past date (`on()`), so every event, deadline and notification is what the app itself
would have written. This year's and last year's meetings tell their suggestions with it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from demo.content.text import SuggestionText
from demo.world import World, login_of, month_end, named_month_end, on, pdf, retimed
from deputies.models import Deputy
from deputies.streams import Stream, in_stream_words
from handling import services as hs
from handling.models import Unit
from proposals import services as ps
from proposals.models import Category, CoSignature, Proposal, ProposalAttachment, Source
from proposals.rules import takes_cosigners


class Story:
    """One suggestion's history, step by step, each at its own date. `scenario` names the path
    it follows; `promise_date()` chooses the month a B-class reply promises (last year's
    meeting chooses its own)."""

    def __init__(self, world: World, item: SuggestionText, lead: Deputy, between: bool) -> None:
        self.w = world
        self.item = item
        self.lead = lead
        self.between = between
        self.proposal: Proposal | None = None
        self.scenario = ""
        self.lead_unit = world.units[item["lead_unit"]]
        self.co_units = [world.units[name] for name in item["co_units"]]

    def fresh(self) -> Proposal:
        """The suggestion as the database has it now."""
        assert self.proposal is not None
        self.proposal.refresh_from_db()
        return self.proposal

    def draft(self, day: dt.date) -> Story:
        w = self.w
        with on(day, 9):
            self.proposal = ps.create_draft(
                lead_deputy=self.lead,
                meeting=w.meeting,
                title=self.item["title"],
                body=self.item["body"],
                by=login_of(self.lead),
                channel=Proposal.Channel.BETWEEN if self.between else Proposal.Channel.MEETING,
                category=Category.objects.get(name=self.item["category"]),
                source=Source.objects.get(name=self.item["source"]),
            )
            cosigners = w.rng.sample([d for d in w.deputies if d.pk != self.lead.pk], k=w.rng.choice([0, 1, 1, 2, 3]))
            if login_of(self.lead).username == "deputy" or (w.deputies[1] not in cosigners and w.rng.random() < 0.15):
                cosigners = [d for d in [w.deputies[1], *cosigners] if d.pk != self.lead.pk][:3]
            if not takes_cosigners(self.lead):  # a collective proposal is the body's own
                cosigners = []
            if cosigners:
                ps.invite_cosigners(proposal=self.proposal, deputies=cosigners, by=login_of(self.lead))
        if cosigners:
            with on(day, 15):
                for signature in CoSignature.objects.filter(proposal=self.proposal):
                    ps.answer_cosign_invitation(signature=signature, accept=True, by=login_of(signature.deputy))
        if w.rng.random() < 0.12:
            ProposalAttachment.objects.create(
                proposal=self.proposal,
                file=pdf("survey", "调研报告.pdf"),
                name="调研报告.pdf",
                size=600,
                uploaded_by=login_of(self.lead),
            )
        return self

    def submit(self, day: dt.date) -> Story:
        with on(day, 11):
            ps.submit_proposal(proposal=self.fresh(), by=login_of(self.lead))
        return self

    def register(self, day: dt.date) -> Story:
        with on(day, 10):
            ps.register_proposal(proposal=self.fresh(), by=self.w.staff)
        return self

    def assign(self, day: dt.date, *, complex_: bool = False, separate: bool = False) -> Story:
        with on(day, 14):
            if separate:
                units = [self.lead_unit, *(self.co_units or [self.other_unit()])][:2]
                hs.assign_proposal(proposal=self.fresh(), by=self.w.staff, separate_units=units, is_complex=complex_)
            else:
                hs.assign_proposal(
                    proposal=self.fresh(),
                    by=self.w.staff,
                    lead_unit=self.lead_unit,
                    co_units=self.co_units,
                    is_complex=complex_,
                )
        return self

    def other_unit(self) -> Unit:
        """A government unit not already on this suggestion."""
        taken = {self.lead_unit.pk, *(u.pk for u in self.co_units)}
        return next(u for u in self.w.units.values() if u.pk not in taken and u.kind == "government")

    def sign(self, day: dt.date) -> Story:
        for assignment in self.fresh().assignments.filter(is_active=True).order_by("role", "pk"):
            with on(day, 9):
                hs.sign_assignment(assignment=assignment, by=self.w.handlers[assignment.unit_id])
        # Each co-handler sends its opinion to the lead unit within its month.
        for assignment in self.fresh().assignments.filter(is_active=True, role="co").order_by("pk"):
            with on(min(day + dt.timedelta(days=self.w.rng.randint(5, 20)), self.w.today), 15):
                hs.submit_co_opinion(
                    assignment=assignment,
                    by=self.w.handlers[assignment.unit_id],
                    body=self.said(
                        f"{assignment.unit.name}协办意见：我单位将在职责范围内积极配合主办单位办理，"
                        "提供相关数据和资料，共同推进建议所提问题的解决。"
                    ),
                )
        return self

    def said(self, text: str) -> str:
        """A sentence of the story in its item's words (the texts are written in the congress's)."""
        return in_stream_words(text) if self.proposal and self.proposal.stream == Stream.PROPOSAL else text

    def contact(self, day: dt.date, kind: str, stage: str) -> Story:
        p = self.fresh()
        assignment = p.assignments.filter(is_active=True, role__in=["lead", "separate"]).first()
        assert assignment is not None  # contacts are played after the assignment
        summaries = {
            "phone": "电话联系代表，介绍办理思路和初步方案，听取代表意见。",
            "visit": "上门走访代表，了解建议所涉问题的具体情况。",
            "face_to_face": "与代表当面沟通（面商），现场查看，就办理措施和时间安排达成共识。",
            "meeting": "召开办理工作座谈会，邀请领衔代表和相关部门参加。",
        }
        with on(min(day, self.w.today), 15):
            hs.record_contact(
                assignment=assignment,
                by=self.w.handlers[assignment.unit_id],
                kind=kind,
                stage=stage,
                contact_date=min(day, self.w.today),
                people=self.said(f"{self.lead.name}代表；{assignment.unit.name}分管负责人、承办科室负责人"),
                summary=self.said(summaries[kind]),
            )
        return self

    def reply(
        self,
        day: dt.date,
        result: str,
        *,
        head_returns: bool = False,
        staff_returns: bool = False,
        stop_at: str | None = None,
    ) -> Story:
        """Draft, approve and issue the answering units' replies on `day` (with the detours).
        `stop_at` leaves the reply waiting: "pending_approval" (for the unit head) or
        "approved" (for congress staff's review)."""
        p = self.fresh()
        result_category = self.w.results[result]
        klass = result_category.result_class
        item = self.item
        promised_by = self.promise_date(day) if klass == "B" else None
        plan = retimed(item["plan"], promised_by)
        text = {
            "A": f"经研究办理，现答复如下：{item['done']}",
            "B": f"经研究办理，现答复如下：{item['done']}下一步，{plan}",
            "C": f"经认真研究，现答复如下：{item['limit']}我们将持续关注，条件具备时推动解决。",
            "D": self.said("经认真研究，您的建议对我们改进工作具有参考价值。") + item["limit"],
        }[klass]
        co = list(p.assignments.filter(is_active=True, role="co"))

        def countersign(reply: Any) -> None:  # every co-handler countersigns (会签) each version
            for assignment in co if reply.assignment.role == "lead" else []:
                hs.countersign_reply(reply=reply, by=self.w.handlers[assignment.unit_id], agrees=True)

        for assignment in p.assignments.filter(is_active=True, role__in=["lead", "separate"]).order_by("pk"):
            handler, head = self.w.handlers[assignment.unit_id], self.w.heads[assignment.unit_id]
            round_ = 2 if p.state == "rehandling" else 1
            if round_ == 2 and not assignment.rehandling_deadline:
                continue
            with on(day - dt.timedelta(days=3), 10):
                reply = hs.save_reply_draft(
                    assignment=assignment,
                    by=handler,
                    reference_number=f"示{assignment.unit.short_name}函〔{day.year}〕{self.w.rng.randint(10, 199)}号",
                    signer=head.display_name,
                    contact_person=handler.display_name,
                    contact_phone=f"0571-8{self.w.rng.randint(1000000, 9999999)}",
                    result_category=result_category,
                    body=text if round_ == 1 else self.said("针对代表提出的意见，我们重新研究办理：") + text,
                    done_items=item["done"] if klass in "AB" else "",
                    promised_items=plan if klass == "B" else "",
                    promised_by=promised_by,
                    not_adopted_reason=item["limit"] if klass in "CD" else "",
                    is_public=self.w.rng.random() > 0.1,
                )
                # The signed and stamped letter, scanned, as units attach it to the reply.
                hs.add_reply_attachment(
                    reply=reply, by=handler, upload=pdf(f"reply {p.pk}-{round_}", "答复函（盖章扫描件）.pdf")
                )
                countersign(reply)
                hs.submit_reply(reply=reply, by=handler)
            if stop_at == "pending_approval":
                continue
            if head_returns:
                with on(day - dt.timedelta(days=2), 16):
                    hs.return_reply(reply=reply, by=head, note="答复内容过于笼统，请补充具体措施和完成时限。")
                with on(day - dt.timedelta(days=2), 17):
                    hs.save_reply_draft(assignment=assignment, by=handler, body=reply.body + "具体措施和时限已补充。")
                    countersign(reply)
                    hs.submit_reply(reply=reply, by=handler)
            with on(day - dt.timedelta(days=1), 11):
                hs.approve_reply(reply=reply, by=head)
            if staff_returns:
                with on(day - dt.timedelta(days=1), 15):
                    hs.staff_return_reply(
                        reply=reply, by=self.w.staff, note="答复未回应建议中提出的第二条意见，请补充后重新报送。"
                    )
                    hs.save_reply_draft(
                        assignment=assignment,
                        by=handler,
                        body=reply.body + "关于第二条意见，我们已纳入下一步工作计划。",
                    )
                    countersign(reply)
                    hs.submit_reply(reply=reply, by=handler)
                    hs.approve_reply(reply=reply, by=head)
            if stop_at == "approved":
                continue
            with on(day, 10):
                hs.issue_reply(reply=reply, by=self.w.staff)
        return self

    def promise_date(self, day: dt.date) -> dt.date:
        """When a B-class reply promises to deliver: the last month its plan text names (end of
        that month), when that is still ahead, so the letter and the follow-up list agree.
        Otherwise three closed B-class suggestions promised within 75 days, so the follow-up list
        always has overdue promises to chase, and the rest some months ahead."""
        named = named_month_end(self.item["plan"])
        if named is not None and named > day:
            return named
        short = self.scenario == "closed_B" and day + dt.timedelta(days=75) < self.w.today
        if short and self.w.made.get("overdue_promises", 0) < 3:
            self.w.made["overdue_promises"] = self.w.made.get("overdue_promises", 0) + 1
            return month_end(day + dt.timedelta(days=40))
        return month_end(day + dt.timedelta(days=self.w.rng.choice([120, 180, 240, 300])))

    def rate(
        self,
        day: dt.date,
        attitude: str = "satisfied",
        result: str = "satisfied",
        comment: str = "",
        paper: bool = False,
    ) -> Story:
        p = self.fresh()
        for assignment in p.assignments.filter(is_active=True, role__in=["lead", "separate"]).order_by("pk"):
            reply = assignment.replies.filter(state="issued").order_by("-round").first()
            if reply is None or hasattr(reply, "rating"):
                continue
            with on(day, 20):
                if paper:
                    form = pdf("signed", "代表意见反馈表.pdf")
                    hs.record_paper_rating(
                        reply=reply, by=self.w.staff, attitude=attitude, result=result, paper_form=form, comment=comment
                    )
                else:
                    hs.rate_reply(
                        final=True,
                        reply=reply,
                        by=login_of(self.lead),
                        attitude=attitude,
                        result=result,
                        comment=comment,
                    )
        return self
