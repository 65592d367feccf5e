"""One way to cut a list into pages, and one way to answer a lookup field, for every app's list
pages (deputies is the first app of the chain, so every app may import it).

The page carries the query strings of its neighbours with every other parameter kept (the
filters, the search words), and `templates/_pagination.html` links to them: the second page is
the same list further on. They are built here rather than with `{% querystring page=… %}`
because that tag only takes literal keys, and a page with two lists needs a second key (the
review queue's registered list turns with `rpage`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar, cast

from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import HttpRequest, JsonResponse, QueryDict

_T = TypeVar("_T")
_U = TypeVar("_U")


class LinkedPage(Page[_T]):
    """A page with the query strings of its neighbours (None at either end)."""

    previous_query: QueryDict | None = None
    next_query: QueryDict | None = None

    def showing(self, rows: Sequence[_U]) -> LinkedPage[_U]:
        """The same page showing `rows` in place of its items (e.g. the rows built from the
        ids it was cut from)."""
        # The paginator still counts the items the page was cut from, as the page's links should.
        page: LinkedPage[_U] = LinkedPage(rows, self.number, cast("Paginator[_U]", self.paginator))
        page.previous_query, page.next_query = self.previous_query, self.next_query
        return page


def paginate(
    request: HttpRequest,
    items: QuerySet[Model, _T] | Sequence[_T],
    *,
    per_page: int,
    param: str = "page",
    counted: QuerySet[Model, Any] | None = None,
) -> LinkedPage[_T]:
    """The page of `items` named by `param` in the query string: the first for a missing or
    malformed number, the last for one past the end. `counted`, the same rows without what only
    showing them needs (the joins of their annotations), is counted in place of `items`."""
    paginator = Paginator(items, per_page)
    if counted is not None:
        paginator.count = counted.count()
    found = paginator.get_page(request.GET.get(param))
    # Nothing found: an empty list, not an empty slice of the query, which Django would still
    # compile (joins, ordering) before finding it has nothing to ask.
    rows = found.object_list if found.paginator.count else []
    page = LinkedPage(rows, found.number, found.paginator)
    page.previous_query = _turned(request.GET, param, page.previous_page_number()) if page.has_previous() else None
    page.next_query = _turned(request.GET, param, page.next_page_number()) if page.has_next() else None
    return page


def _turned(query: QueryDict, param: str, number: int) -> QueryDict:
    turned = query.copy()
    turned[param] = str(number)
    return turned


# --- lookup fields --------------------------------------------------------------------------------

# A filter among thousands (the units, the deputies) is a lookup field (templates/_lookup.html,
# static/js/lookup.js): the page renders only the chosen one, and the script asks its lookup
# page for at most this many matches of what is typed.
LOOKUP_LIMIT = 20


def lookup_words(request: HttpRequest) -> str:
    return request.GET.get("q", "").strip()[:50]


def lookup_answer(options: Iterable[tuple[int, str]]) -> JsonResponse:
    """The matches of a lookup field, as its script reads them."""
    return JsonResponse({"results": [{"value": value, "label": label} for value, label in options]})
