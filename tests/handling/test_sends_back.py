"""Which rating sends a suggestion back for re-handling: the rating service, the deputy's preview
before rating and the history import all ask `handling.answering.sends_back`."""

from __future__ import annotations

import pytest

from handling.answering import sends_back
from handling.models import Satisfaction


@pytest.mark.parametrize(
    ("result", "round_", "back"),
    [
        ("unsatisfied", 1, True),
        ("basic", 1, False),
        ("satisfied", 1, False),
        ("unsatisfied", 2, False),  # the second reply's rating stands
        ("basic", 2, False),
        ("satisfied", 2, False),
    ],
)
def test_only_an_unsatisfied_result_of_a_first_reply_sends_it_back(result, round_, back):
    assert sends_back(Satisfaction(result), round_) is back
