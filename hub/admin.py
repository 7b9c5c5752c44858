"""The admin: a window on the hub, not a second write path.

Status, acceptance, scores, reputation and text change only through hub.services, acting
as the signed-in admin user, so the moderation log, revisions, reputation, the search
index and the data versions stay true. Every other field of that content is read-only
here: the admin's form has no such field, so a crafted POST cannot set it.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.contenttypes.admin import GenericTabularInline
from django.db import models
from django.http import HttpResponseRedirect

from hub.errors import ApplicationError, ValidationErrors
from hub.models import (
    Challenge,
    Comment,
    Contributor,
    Flag,
    Learning,
    ModerationAction,
    ModerationActionKind,
    Project,
    Resource,
    Revision,
    SeedRecord,
    Solution,
    Technology,
    Vote,
)
from hub.permissions import is_moderator
from hub.services import challenges, learnings, moderation, resources, solutions

REFUSED = (ApplicationError, ValidationErrors)


def refusal(error: Exception) -> str:
    return " ".join(e.message for e in getattr(error, "errors", [error]))


@admin.register(Technology)
class TechnologyAdmin(admin.ModelAdmin):
    list_display = ("name", "category", "summary", "updated_at")
    list_filter = ("category",)
    search_fields = ("name", "summary", "learned")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("learned_html", "created_at", "updated_at")


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("title", "summary", "repository_url", "updated_at")
    search_fields = ("title", "summary", "description")
    list_filter = ("technologies",)
    filter_horizontal = ("technologies",)
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("description_html", "created_at", "updated_at")


@admin.register(SeedRecord)
class SeedRecordAdmin(admin.ModelAdmin):
    list_display = ("kind", "key", "loaded_at")
    list_filter = ("kind",)
    search_fields = ("key",)
    readonly_fields = ("kind", "key", "checksum", "loaded_at")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_moderate_permission(self, request):
        """For actions that call a moderation service (which checks again)."""
        return is_moderator(request.user)

    def run_service(self, request, objects, call, done: str) -> None:
        """`call(obj)` for each object, each in its service's own transaction; one message
        for what was done and one per refusal (nothing of a refused one is written)."""
        count = 0
        for obj in objects:
            try:
                call(obj)
            except REFUSED as error:
                self.message_user(request, f"{obj}: {refusal(error)}", messages.ERROR)
            else:
                count += 1
        if count:
            self.message_user(request, done.format(count=count), messages.SUCCESS)


class ReasonForm(ActionForm):
    reason = forms.CharField(
        required=False,
        max_length=moderation.REASON_MAX,
        label="Reason (required to reject or hide)",
    )


class ContentAdmin(ReadOnlyAdmin):
    """Moderated content: moderation actions, and the `editable` fields saved by `edit`.

    Nothing is added here (contributors submit through the API, seed data comes from the
    loader), and rows are deleted only where a delete service exists (`delete_service`), which
    takes back the reputation they earned.
    """

    action_form = ReasonForm
    actions = ["publish", "reject", "hide"]
    editable: tuple[str, ...] = ()
    # (viewer, pk) -> pk, calling e.g. hub.services.challenges.delete_challenge; None: no deletes.
    delete_service = None

    def edit(self, request, obj, form) -> None:
        """Hand the changed `editable` fields to the revising service."""

    def has_change_permission(self, request, obj=None):
        return bool(self.editable) and admin.ModelAdmin.has_change_permission(self, request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.delete_service is not None and admin.ModelAdmin.has_delete_permission(
            self, request, obj
        )

    def get_readonly_fields(self, request, obj=None):
        meta = self.model._meta
        return [
            field.name
            for field in [*meta.fields, *meta.many_to_many]
            if field.name not in self.editable and not field.primary_key
        ]

    def save_model(self, request, obj, form, change):
        if form.changed_data:
            self.edit(request, obj, form)

    def save_related(self, request, form, formsets, change):
        # No form.save_m2m(): the service set the relations it changes. The inlines are
        # view-only; saving them writes nothing but is what the change message reads.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def get_deleted_objects(self, objs, request):
        # The delete service decides what goes with a row (votes, comments, revisions), and
        # those have no delete of their own here: they need no permission of their own.
        deleted, counts, _, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, set(), protected

    def delete_model(self, request, obj):
        self.delete_service(request.user, obj.pk)

    def delete_queryset(self, request, queryset):
        # Django's own "deleted" message follows; only refusals are reported here.
        for obj in queryset:
            try:
                self.delete_service(request.user, obj.pk)
            except REFUSED as error:
                self.message_user(request, f"{obj}: {refusal(error)}", messages.ERROR)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return self._refused_as_message(
            request, super().changeform_view, request, object_id, form_url, extra_context
        )

    def delete_view(self, request, object_id, extra_context=None):
        return self._refused_as_message(
            request, super().delete_view, request, object_id, extra_context
        )

    def _refused_as_message(self, request, view, *args):
        """A service's refusal rolls the whole view back (Django runs it in one transaction)
        and comes back as a message on the same page."""
        try:
            return view(*args)
        except REFUSED as error:
            self.message_user(request, f"Nothing was saved: {refusal(error)}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def moderate(self, request, queryset, action, done: str):
        reason = request.POST.get("reason", "")
        self.run_service(
            request,
            queryset,
            lambda obj: moderation.moderate_content(
                viewer=request.user,
                model=self.model,
                object_id=obj.pk,
                action=action,
                reason=reason,
            ),
            done,
        )

    @admin.action(description="Publish selected %(verbose_name_plural)s", permissions=["moderate"])
    def publish(self, request, queryset):
        self.moderate(request, queryset, ModerationActionKind.PUBLISH, "Published {count}.")

    @admin.action(description="Reject selected %(verbose_name_plural)s", permissions=["moderate"])
    def reject(self, request, queryset):
        self.moderate(request, queryset, ModerationActionKind.REJECT, "Rejected {count}.")

    @admin.action(description="Hide selected %(verbose_name_plural)s", permissions=["moderate"])
    def hide(self, request, queryset):
        self.moderate(request, queryset, ModerationActionKind.HIDE, "Hid {count}.")


def changed(form, name, convert=lambda value: value):
    """The form's new value of `name` for a service (None: unchanged, the services' partial)."""
    return convert(form.cleaned_data[name]) if name in form.changed_data else None


def slugs(objects) -> list[str]:
    return [obj.slug for obj in objects]


class RevisionInline(GenericTabularInline):
    model = Revision
    extra = 0
    fields = ("created_at", "editor", "title", "body")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Learning)
class LearningAdmin(ContentAdmin):
    list_display = ("title", "kind", "status", "author", "created_at", "published_at")
    list_filter = ("status", "kind", "technologies")
    search_fields = ("title", "summary", "body", "author__user__username")
    list_select_related = ("author__user",)
    filter_horizontal = ("technologies",)
    date_hierarchy = "created_at"
    inlines = [RevisionInline]
    editable = ("title", "summary", "body", "technologies")

    def edit(self, request, obj, form):
        learnings.update_learning(
            viewer=request.user,
            learning_id=obj.pk,
            title=changed(form, "title"),
            summary=changed(form, "summary"),
            body=changed(form, "body"),
            technologies=changed(form, "technologies", slugs),
        )


@admin.register(Resource)
class ResourceAdmin(ContentAdmin):
    list_display = ("title", "kind", "status", "url", "author", "created_at", "published_at")
    list_filter = ("status", "kind", "technologies")
    search_fields = ("title", "url", "summary", "author__user__username")
    list_select_related = ("author__user",)
    filter_horizontal = ("technologies",)
    date_hierarchy = "created_at"
    inlines = [RevisionInline]
    editable = ("title", "url", "kind", "summary", "technologies")
    # A URL typed without a scheme is read as https (Django 6's default, chosen now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def edit(self, request, obj, form):
        resources.update_resource(
            viewer=request.user,
            resource_id=obj.pk,
            title=changed(form, "title"),
            url=changed(form, "url"),
            kind=changed(form, "kind"),
            summary=changed(form, "summary"),
            technologies=changed(form, "technologies", slugs),
        )


class SolutionInline(admin.TabularInline):
    model = Solution
    extra = 0
    fields = ("author", "status", "score", "is_accepted", "created_at")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ChallengeForm(forms.ModelForm):
    def clean_project(self):
        project = self.cleaned_data["project"]
        if project is None and self.instance.project_id is not None:
            # The service changes a challenge's project; it has no way to remove it.
            raise forms.ValidationError("A challenge's project can be changed, not removed.")
        return project


@admin.register(Challenge)
class ChallengeAdmin(ContentAdmin):
    form = ChallengeForm
    list_display = ("title", "project", "status", "author", "created_at")
    list_filter = ("status", "project", "technologies")
    search_fields = ("title", "description", "author__user__username")
    list_select_related = ("project", "author__user")
    autocomplete_fields = ("project",)
    filter_horizontal = ("technologies",)
    inlines = [SolutionInline, RevisionInline]
    date_hierarchy = "created_at"
    editable = ("title", "description", "project", "technologies")
    delete_service = staticmethod(
        lambda viewer, pk: challenges.delete_challenge(viewer=viewer, challenge_id=pk)
    )

    def edit(self, request, obj, form):
        challenges.update_challenge(
            viewer=request.user,
            challenge_id=obj.pk,
            title=changed(form, "title"),
            description=changed(form, "description"),
            project=changed(form, "project", lambda project: project.slug),
            technologies=changed(form, "technologies", slugs),
        )


@admin.register(Solution)
class SolutionAdmin(ContentAdmin):
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
    inlines = [RevisionInline]
    actions = [*ContentAdmin.actions, "accept"]
    editable = ("body",)
    delete_service = staticmethod(
        lambda viewer, pk: solutions.delete_solution(viewer=viewer, solution_id=pk)
    )

    def edit(self, request, obj, form):
        solutions.update_solution(
            viewer=request.user, solution_id=obj.pk, body=changed(form, "body")
        )

    @admin.action(description="Accept as their challenge's answer", permissions=["moderate"])
    def accept(self, request, queryset):
        self.run_service(
            request,
            queryset,
            lambda solution: solutions.accept_solution(
                viewer=request.user, solution_id=solution.pk
            ),
            "Accepted {count}.",
        )


@admin.register(Comment)
class CommentAdmin(ContentAdmin):
    """Comments are moderated here; their text is their author's (no edit service)."""

    list_display = ("__str__", "author", "challenge", "solution", "parent", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("body", "author__user__username")
    list_select_related = ("author__user", "challenge", "solution", "parent")


@admin.register(Contributor)
class ContributorAdmin(ReadOnlyAdmin):
    """Read-only: a profile is its owner's (updateProfile), reputation the services', and a
    deletion would take votes without taking back the scores they made."""

    list_display = ("user", "display_name", "track", "reputation", "discord_handle", "joined_at")
    list_filter = ("track",)
    search_fields = ("user__username", "user__email", "display_name", "discord_handle")
    list_select_related = ("user",)


@admin.register(Vote)
class VoteAdmin(ReadOnlyAdmin):
    """Scores and reputation are kept in step by the vote service."""

    list_display = ("solution", "voter", "value", "created_at")
    list_filter = ("value",)
    search_fields = ("voter__user__username",)
    list_select_related = ("solution", "voter__user")


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
    actions = ["restore"]

    @admin.action(description="Restore the selected revisions", permissions=["moderate"])
    def restore(self, request, queryset):
        self.run_service(
            request,
            queryset.order_by("pk"),
            lambda revision: moderation.restore_revision(
                viewer=request.user, revision_id=revision.pk
            ),
            "Restored {count}.",
        )


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
class FlagAdmin(ReadOnlyAdmin):
    """Flags come from contributors (flagContent) and are resolved by the service."""

    list_display = ("created_at", "reason", "content_type", "object_id", "reporter", "resolved_at")
    list_filter = (FlagOpenFilter, "reason", "content_type")
    search_fields = ("note", "reporter__user__username")
    list_select_related = ("content_type", "reporter__user")
    actions = ["mark_resolved"]

    @admin.action(description="Mark selected flags resolved", permissions=["moderate"])
    def mark_resolved(self, request, queryset):
        # Through the service, so each resolution lands in the moderation log.
        self.run_service(
            request,
            queryset.filter(resolved_at__isnull=True),
            lambda flag: moderation.resolve_flag(
                viewer=request.user, flag_id=flag.pk, note="Resolved in the admin."
            ),
            "Resolved {count}.",
        )
