"""Admin building blocks: what the portal's services own is only looked at in the admin, and a
registry row other records refer to is not deleted there. Who may open the admin at all is the
policy's `admin.use` (core/admin_site.py)."""

from django.contrib.admin.utils import NestedObjects
from django.core.exceptions import PermissionDenied
from django.db import router
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

# How many referring records a delete page names per kind before it only counts the rest.
NAMED_REFERENCES = 5


class HistoryAdmin(SimpleHistoryAdmin):
    """simple-history's admin, but its history page saves a "revert" only for who may change the row:
    the stock view saves a POST for anyone who may view the row."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            obj = self.get_object(request, object_id)
            if obj is None or not self.has_change_permission(request, obj):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class ReadOnlyAdmin:
    """View only: no add, change or delete (nor the bulk delete action), whatever the user's
    permissions. The portal's pages and services change these records, with their checks, and keep
    the reasons in the history; each page here says where (`portal_note`, linked by `portal_url`)."""

    portal_note = ""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_actions(self, request):
        return {}  # every admin action writes (the only one is the bulk delete)

    def portal_url(self, obj) -> str | None:
        """The portal page where `obj` is changed, if it has one."""
        return None

    def portal_description(self, obj=None) -> str:
        url = self.portal_url(obj) if obj is not None else None
        if url:
            return format_html('{} <a href="{}">{}</a>', self.portal_note, url, _("Open it in the portal"))
        return format_html("{}", self.portal_note)

    def get_fieldsets(self, request, obj=None):
        (name, options), *rest = super().get_fieldsets(request, obj)
        return [(name, {**options, "description": self.portal_description(obj)}), *rest]

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"subtitle": self.portal_note, **(extra_context or {})})


class ReadOnlyInline:
    """An inline of a read-only page (or of rows changed elsewhere): shown, never added, changed or deleted."""

    can_delete = False
    extra = 0
    max_num = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def describe(obj) -> str:
    """A referring record in words; a row of a many-to-many field is named by the record holding it."""
    opts = obj._meta
    if opts.auto_created:
        owner = next(f for f in opts.fields if f.is_relation and f.related_model is opts.auto_created)
        obj = getattr(obj, owner.name)
        opts = obj._meta
    return f"{capfirst(opts.verbose_name)}: {obj}"


class ReferencedRowsAreKept:
    """A registry row that other records refer to is not deleted from the admin. Django refuses only
    references through PROTECT; this also refuses the ones Django would delete along (a village in a
    pairing, a school assisting one), except the row's own parts named in `delete_along`. The delete
    page (and the bulk action) then names what refers to the row, a few per kind and the count."""

    delete_along: tuple = ()

    def get_deleted_objects(self, objs, request):
        collector = NestedObjects(using=router.db_for_write(self.model))
        collector.collect(objs)
        own = {self.model, *self.delete_along}
        referring: dict[type, list] = {}
        for obj in collector.protected:
            referring.setdefault(obj._meta.model, []).append(obj)
        for model, instances in collector.model_objs.items():
            if model not in own:
                referring.setdefault(model, []).extend(instances)
        for instances in referring.values():
            instances.sort(key=lambda obj: obj.pk)
        if not referring:
            return super().get_deleted_objects(objs, request)
        lines = []
        for instances in referring.values():
            lines.extend(describe(obj) for obj in instances[:NAMED_REFERENCES])
            if len(instances) > NAMED_REFERENCES:
                lines.append(_("… and %(count)s more") % {"count": len(instances) - NAMED_REFERENCES})
        return [], {}, set(), lines
