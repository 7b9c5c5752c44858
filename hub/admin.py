from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline

from hub.models import (
    Challenge,
    Comment,
    Contributor,
    Flag,
    Learning,
    ModerationAction,
    Project,
    Revision,
    SeedRecord,
    Solution,
    Technology,
    Vote,
)
from hub.services import moderation


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
