"""The page of a paged list that a request asks for (?page=), the same way on every page."""

from django.core.paginator import Page, Paginator
from django.utils.translation import gettext as _

from .ids import plain_digits


def requested_page(request, paginator: Paginator, key: str = "page") -> tuple[Page, str | None]:
    """The page asked for, or the nearest one (the first for a page that is not a number, the last for
    one past the end) with the problem in words: the page then tells the user which page it shows
    instead, and answers 400."""
    text = request.GET.get(key, "").strip()
    page = paginator.get_page(text)
    if text and (not plain_digits(text) or int(text) != page.number):
        return page, _("There is no page %(asked)s: page %(shown)s of %(pages)s is shown.") % {
            "asked": text[:20],
            "shown": page.number,
            "pages": paginator.num_pages,
        }
    return page, None
