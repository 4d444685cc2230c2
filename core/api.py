"""The policy in the API: one DRF permission class that asks core/policy.py.

A viewset names the permission each action needs in `policy_permissions` ({"submit":
"report.write", ...}). For detail URLs the object is looked up first, through the viewset's
scoped queryset (the door), so an outsider gets 404 whatever the body; only then is the named
permission checked against the object (403). Input is validated after both.
"""

import functools
import hashlib

from django.conf import settings
from django.core.paginator import Paginator
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission

from .policy import can


class PolicyPermission(BasePermission):
    def _name(self, view) -> str | None:
        return getattr(view, "policy_permissions", {}).get(getattr(view, "action", None))

    def has_permission(self, request, view) -> bool:
        if not can(request.user, "api.use"):
            return False
        name = self._name(view)
        if name is None or (getattr(view, "detail", False) and getattr(view, "policy_object_level", True)):
            return True  # detail actions are checked against their object, after the 404 of the door
        return can(request.user, name)

    def has_object_permission(self, request, view, obj) -> bool:
        name = self._name(view)
        return name is None or can(request.user, name, obj)


class ApiDocsPermission(BasePermission):
    """The OpenAPI schema and the interactive docs: open while developing (settings.API_DOCS_PUBLIC),
    otherwise for those who may use the API, like the API itself."""

    def has_permission(self, request, view) -> bool:
        return settings.API_DOCS_PUBLIC or can(request.user, "api.use")


class CachedCountPaginator(Paginator):
    """A paginator whose total is cached at the versions of what it counts (core/cache.py), keyed by
    the query itself: the query holds the caller's scope and filters, so two callers share a count
    only when they count the same rows."""

    def __init__(self, object_list, per_page, *, versions, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.versions = list(versions)

    @cached_property
    def count(self) -> int:
        from .cache import cached_figures

        sql, params = self.object_list.query.sql_with_params()
        digest = hashlib.sha1(repr((sql, params)).encode(), usedforsecurity=False).hexdigest()
        return cached_figures(
            f"count:{digest}", versions=self.versions, compute=lambda: Paginator.count.func(self)
        )


class CachedCountPagination(PageNumberPagination):
    """Page numbers for a list whose total costs more than its page (a province's 120,000 reports:
    14 ms to count, 1 ms to read a page): the view names, in `count_versions`, the cache versions
    the count depends on."""

    def paginate_queryset(self, queryset, request, view=None):
        self.django_paginator_class = functools.partial(CachedCountPaginator, versions=view.count_versions)
        return super().paginate_queryset(queryset, request, view)
