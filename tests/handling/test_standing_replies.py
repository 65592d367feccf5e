"""The standing reply of each answering unit (`handling.selectors.standing_replies`), as the
deputies' records, the annual report's key items and the similar suggestions read it: its
latest issued round, whatever order the replies come in."""

from __future__ import annotations

from handling.models import Reply
from handling.selectors import standing_replies


def test_the_reply_after_rehandling_stands_in_place_of_the_first_in_any_order():
    a1_first, a1_second = Reply(pk=1, assignment_id=10, round=1), Reply(pk=2, assignment_id=10, round=2)
    a2_first = Reply(pk=3, assignment_id=20, round=1)
    for order in ([a1_first, a1_second, a2_first], [a1_second, a2_first, a1_first]):
        assert standing_replies(order) == {10: a1_second, 20: a2_first}
    assert standing_replies([]) == {}
