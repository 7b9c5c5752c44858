from django.contrib import admin

from hub.models import Challenge, Contributor, Learning, Project, SeedRecord, Solution, Technology


@admin.register(Technology)
class TechnologyAdmin(admin.ModelAdmin):
    list_display = ("name", "category", "summary", "updated_at")
    list_filter = ("category",)
    search_fields = ("name", "summary", "learned")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("learned_html", "created_at", "updated_at")


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
    inlines = [SolutionInline]
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


@admin.register(Contributor)
class ContributorAdmin(admin.ModelAdmin):
    list_display = ("user", "display_name", "track", "discord_handle", "joined_at")
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
