"""What the answering units (the lead unit, or each separate unit) still owe on a suggestion.

These are the facts the suggestion's transitions are given (`Proposal.issue_reply`,
`Proposal.rate`, `Proposal.accept_reassignment`): the day the next reply is due, whether a
reply still waits for the deputy's rating, the day a re-handling reply is due. They are pure
functions of a few facts per unit, so the handling services (which read the facts from the
database) and the Excel history import (which reads them from a row) decide alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from handling.models import Satisfaction


@dataclass
class Part:
    """One answering unit's part: its deadlines, the rounds whose reply is issued (1, and 2
    after re-handling) and the rounds whose issued reply is rated."""

    deadline: dt.date
    rehandling_deadline: dt.date | None = None
    issued: set[int] = field(default_factory=set)
    rated: set[int] = field(default_factory=set)

    @property
    def owed_on(self) -> dt.date | None:
        """The day its next reply is due: the first reply by the deadline; the second by the
        re-handling deadline a 不满意 rating set; None when it owes none."""
        if 1 not in self.issued:
            return self.deadline
        if self.rehandling_deadline and 2 not in self.issued:
            return self.rehandling_deadline
        return None

    @property
    def awaits_rating(self) -> bool:
        """Its latest issued reply has no rating yet (or no reply is issued yet)."""
        return not self.issued or max(self.issued) not in self.rated


def sends_back(result: str, round_: int) -> bool:
    """A 不满意 rating of the result of a unit's first reply sends the suggestion back to that
    unit for re-handling; the second reply's rating stands, whatever it says."""
    return result == Satisfaction.UNSATISFIED and round_ == 1


def next_due_on(parts: Iterable[Part]) -> dt.date | None:
    """The day the suggestion's next reply is due, or None when no unit owes one."""
    dates = [d for d in (p.owed_on for p in parts) if d is not None]
    return min(dates) if dates else None


def unrated_left(parts: Iterable[Part]) -> bool:
    """Some unit's latest reply still waits for the deputy's rating."""
    return any(p.awaits_rating for p in parts)


def rehandling_due_on(parts: Iterable[Part]) -> dt.date | None:
    """The day the next re-handling reply is due, or None when none is owed."""
    dates = [p.rehandling_deadline for p in parts if p.rehandling_deadline and 2 not in p.issued]
    return min(dates) if dates else None
