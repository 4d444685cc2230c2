"""Admin for accounts: the profile inline on users, so one page sets a user's role, school or town."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

from .admin_mixins import HistoryAdmin
from .models import Notice, OutboxMessage, Profile


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    autocomplete_fields = ["school", "town"]


admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    inlines = [ProfileInline]
    list_filter = [*UserAdmin.list_filter]


@admin.register(Profile)
class ProfileAdmin(HistoryAdmin):
    list_display = ["user", "school", "town", "phone"]
    list_filter = ["language"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "school__name", "town__name"]
    list_select_related = ["user", "school", "town"]
    autocomplete_fields = ["user", "school", "town"]


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["user", "text", "created_at", "read_at"]
    list_filter = ["read_at"]
    search_fields = ["user__username", "text"]
    list_select_related = ["user"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """What the portal queued for its workers; written by the portal only, so it is read here."""

    list_display = ["task", "created_at", "sent_at", "attempts", "last_error"]
    list_filter = ["task", "sent_at"]
    readonly_fields = ["task", "args", "created_at", "sent_at", "attempts", "last_error"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
