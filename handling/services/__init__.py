"""Writes for the handling steps, one module per sub-domain, each step through the one write
path (proposals/workflow.py):

- `assignment`: assigning to units (交办), signing for it (签收), re-assignment;
- `contacts`: contacts with the deputy and the deputy's answer to them;
- `cohandling`: the co-handling units' opinions and countersigning (会签);
- `replies`: the reply letter from draft to issue;
- `rating`: the deputy's rating (or a signed paper form) and comments on a reply;
- `questions`: questions to a unit before submitting (提出前沟通);
- `extensions`: a unit's request to extend its reply deadline (申请延期) and the decision;
- `plans`: the unit's handling plan (办理方案) and its steps;
- `common`: what they share (who in a unit is told, acting for a unit, merged groups).

The steps are named here too, so callers write `services.assign_proposal(...)`.
"""

from handling.services.assignment import (
    assign_many,
    assign_proposal,
    build_assignment,
    decide_reassignment,
    request_reassignment,
    sign_assignment,
)
from handling.services.cohandling import countersign_reply, request_countersign, submit_co_opinion
from handling.services.common import unit_people
from handling.services.contacts import answer_contact, record_contact
from handling.services.extensions import decide_extension, request_extension
from handling.services.plans import StepInput, mark_step_done, save_handling_plan
from handling.services.questions import answer_draft_question, ask_unit_before_submission
from handling.services.rating import (
    change_rating,
    comment_on_reply,
    confirm_rating,
    rate_reply,
    rating_window_end,
    record_paper_rating,
    settle_due_ratings,
)
from handling.services.replies import (
    add_reply_attachment,
    approve_reply,
    correct_result_category,
    issue_reply,
    on_issue,
    remove_reply_attachment,
    reply_gaps,
    return_reply,
    save_reply_draft,
    staff_return_reply,
    submit_reply,
)

__all__ = [
    "on_issue",
    "StepInput",
    "rating_window_end",
    "settle_due_ratings",
    "confirm_rating",
    "change_rating",
    "add_reply_attachment",
    "answer_contact",
    "answer_draft_question",
    "approve_reply",
    "ask_unit_before_submission",
    "assign_many",
    "assign_proposal",
    "build_assignment",
    "comment_on_reply",
    "correct_result_category",
    "countersign_reply",
    "decide_extension",
    "decide_reassignment",
    "issue_reply",
    "mark_step_done",
    "rate_reply",
    "record_contact",
    "record_paper_rating",
    "remove_reply_attachment",
    "reply_gaps",
    "request_countersign",
    "request_extension",
    "request_reassignment",
    "return_reply",
    "save_handling_plan",
    "save_reply_draft",
    "sign_assignment",
    "staff_return_reply",
    "submit_co_opinion",
    "submit_reply",
    "unit_people",
]
