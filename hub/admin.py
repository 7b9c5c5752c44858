from django import forms
from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline
from django.db.models import Exists, OuterRef
from django.utils import timezone

from hub.models import (
    BlockedIP,
    Challenge,
    Comment,
    Contributor,
    Flag,
    Learning,
    ModerationAction,
    Project,
    RequestLog,
    Revision,
    SeedRecord,
    Solution,
    SuspiciousIP,
    Technology,
    Vote,
)
from hub.services import moderation, traffic


@admin.register(Technology)
class TechnologyAdmin(admin.ModelAdmin):
    list_display = ("name", "category", "summary", "updated_at")
    list_filter = ("category",)
    search_fields = ("name", "summary", "learned")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("learned_html", "created_at", "updated_at")


class RevisionInline(GenericTabularInline):
    model = Revision
    extra = 0
    fields = ("created_at", "editor", "title", "body")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Learning)
class LearningAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "status", "author", "created_at", "published_at")
    list_filter = ("status", "kind", "technologies")
    search_fields = ("title", "summary", "body", "author__user__username")
    list_select_related = ("author__user",)
    autocomplete_fields = ("author",)
    filter_horizontal = ("technologies",)
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("body_html", "created_at", "updated_at", "published_at")
    date_hierarchy = "created_at"
    inlines = [RevisionInline]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("title", "summary", "repository_url", "updated_at")
    search_fields = ("title", "summary", "description")
    list_filter = ("technologies",)
    filter_horizontal = ("technologies",)
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("description_html", "created_at", "updated_at")


class SolutionInline(admin.TabularInline):
    model = Solution
    extra = 0
    fields = ("author", "status", "score", "is_accepted", "created_at")
    readonly_fields = ("score", "created_at")
    autocomplete_fields = ("author",)
    show_change_link = True


@admin.register(Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    list_display = ("title", "project", "status", "author", "created_at")
    list_filter = ("status", "project", "technologies")
    search_fields = ("title", "description", "author__user__username")
    list_select_related = ("project", "author__user")
    autocomplete_fields = ("author", "project")
    filter_horizontal = ("technologies",)
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("description_html", "created_at", "updated_at", "published_at")
    inlines = [SolutionInline, RevisionInline]
    date_hierarchy = "created_at"


@admin.register(Solution)
class SolutionAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "challenge",
        "author",
        "status",
        "score",
        "is_accepted",
        "created_at",
    )
    list_filter = ("status", "is_accepted")
    search_fields = ("body", "challenge__title", "author__user__username")
    list_select_related = ("challenge", "author__user")
    autocomplete_fields = ("challenge", "author")
    readonly_fields = ("body_html", "score", "created_at", "updated_at", "published_at")
    inlines = [RevisionInline]


@admin.register(Contributor)
class ContributorAdmin(admin.ModelAdmin):
    list_display = ("user", "display_name", "track", "reputation", "discord_handle", "joined_at")
    list_filter = ("track",)
    search_fields = ("user__username", "user__email", "display_name", "discord_handle")
    list_select_related = ("user",)
    autocomplete_fields = ("user",)


@admin.register(SeedRecord)
class SeedRecordAdmin(admin.ModelAdmin):
    list_display = ("kind", "key", "loaded_at")
    list_filter = ("kind",)
    search_fields = ("key",)
    readonly_fields = ("kind", "key", "checksum", "loaded_at")


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("__str__", "author", "challenge", "solution", "parent", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("body", "author__user__username")
    list_select_related = ("author__user", "challenge", "solution", "parent")
    raw_id_fields = ("challenge", "solution", "parent", "author")
    readonly_fields = ("body_html", "created_at", "updated_at")


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ("solution", "voter", "value", "created_at")
    list_filter = ("value",)
    search_fields = ("voter__user__username",)
    list_select_related = ("solution", "voter__user")
    raw_id_fields = ("solution", "voter")

    def has_change_permission(self, request, obj=None):
        # Scores are kept in step by the vote service; votes are not edited by hand.
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ModerationAction)
class ModerationActionAdmin(ReadOnlyAdmin):
    """The moderation log: append-only."""

    list_display = ("created_at", "moderator", "action", "content_type", "object_id", "reason")
    list_filter = ("action", "content_type")
    search_fields = ("reason", "moderator__username")
    list_select_related = ("moderator", "content_type")
    date_hierarchy = "created_at"


@admin.register(Revision)
class RevisionAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "content_type", "object_id", "editor", "title")
    list_filter = ("content_type",)
    search_fields = ("title", "body")
    list_select_related = ("content_type", "editor__user")


class FlagOpenFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", "Open"), ("resolved", "Resolved")]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(resolved_at__isnull=True)
        if self.value() == "resolved":
            return queryset.filter(resolved_at__isnull=False)
        return queryset


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ("created_at", "reason", "content_type", "object_id", "reporter", "resolved_at")
    list_filter = (FlagOpenFilter, "reason", "content_type")
    search_fields = ("note", "reporter__user__username")
    list_select_related = ("content_type", "reporter__user")
    readonly_fields = ("reporter", "content_type", "object_id", "reason", "note", "created_at")
    actions = ["mark_resolved"]

    @admin.action(description="Mark selected flags resolved")
    def mark_resolved(self, request, queryset):
        # Through the service, so each resolution lands in the moderation log.
        for flag in queryset.filter(resolved_at__isnull=True):
            moderation.resolve_flag(request.user, flag.pk, note="Resolved in the admin.")


# --- traffic: the request log, blocked and suspicious addresses -------------------------------


@admin.register(RequestLog)
class RequestLogAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "ip",
        "method",
        "path",
        "status",
        "duration_ms",
        "operation_type",
        "operation_name",
        "user",
        "auth_failed",
    )
    list_filter = ("status", "operation_type", "auth_failed", "method")
    search_fields = ("=ip", "operation_name", "root_fields", "path")
    list_select_related = ("user",)
    date_hierarchy = "created_at"
    show_full_result_count = False  # no COUNT over the busiest table on every page


class BlockedIPForm(forms.ModelForm):
    class Meta:
        model = BlockedIP
        fields = ("ip", "reason", "expires_at")

    def clean_expires_at(self):
        expires_at = self.cleaned_data["expires_at"]
        if expires_at is not None and expires_at <= timezone.now():
            raise forms.ValidationError("The block must end in the future.")
        return expires_at


@admin.register(BlockedIP)
class BlockedIPAdmin(admin.ModelAdmin):
    """Blocks go through the traffic services, which refresh every worker's blocklist."""

    form = BlockedIPForm
    list_display = ("ip", "reason", "created_at", "expires_at", "active")
    search_fields = ("=ip", "reason")
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):
        return ("ip", "created_at") if obj else ("created_at",)

    @admin.display(boolean=True)
    def active(self, obj):
        return obj.is_active()

    def save_model(self, request, obj, form, change):
        saved = traffic.block_ip(ip=obj.ip, reason=obj.reason, expires_at=obj.expires_at)
        obj.pk, obj.created_at = saved.pk, saved.created_at

    def delete_model(self, request, obj):
        traffic.unblock_ip(ip=obj.ip)

    def delete_queryset(self, request, queryset):
        traffic.unblock_ips(ips=list(queryset.values_list("ip", flat=True)))


@admin.register(SuspiciousIP)
class SuspiciousIPAdmin(ReadOnlyAdmin):
    list_display = (
        "ip",
        "reason",
        "request_count",
        "auth_failure_count",
        "first_detected_at",
        "last_detected_at",
        "blocked",
    )
    list_filter = ("reason",)
    search_fields = ("=ip",)
    actions = ["block_addresses"]

    def get_queryset(self, request):
        blocks = BlockedIP.objects.filter(ip=OuterRef("ip"))
        return super().get_queryset(request).annotate(is_blocked=Exists(blocks))

    @admin.display(boolean=True, ordering="is_blocked")
    def blocked(self, obj):
        return obj.is_blocked

    @admin.action(description="Block the selected addresses")
    def block_addresses(self, request, queryset):
        for suspect in queryset:
            traffic.block_ip(ip=suspect.ip, reason=f"Flagged: {suspect.get_reason_display()}")
        self.message_user(request, f"Blocked {queryset.count()} flagged address(es).")
