"""The admin is no second write path: its actions, edits and deletions go through the
services and leave what the API leaves; everything else is read-only.

Each "twin" test builds the same content twice, changes one copy through the API and the
other through the admin, as the same superuser, and compares what each change left: status,
acceptance, text, the moderation log, revisions, reputation and the search document.
"""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from hub.models import (
    Challenge,
    Comment,
    ContentStatus,
    Contributor,
    Flag,
    FlagReason,
    Learning,
    ModerationAction,
    Resource,
    Revision,
    SearchDocument,
    Solution,
    Vote,
)
from hub.services import challenges, solutions
from tests.factories import (
    ChallengeFactory,
    ContributorFactory,
    LearningFactory,
    ProjectFactory,
    ResourceFactory,
    SolutionFactory,
    TechnologyFactory,
)
from tests.schema.helpers import client_for, global_id

pytestmark = pytest.mark.django_db

MODERATE = """mutation($input: ModerateInput!) { moderate(input: $input) { errors { code } } }"""
ACCEPT = """mutation($input: AcceptSolutionInput!) {
  acceptSolution(input: $input) { errors { code } } }"""
RESTORE = """mutation($input: RestoreRevisionInput!) {
  restoreRevision(input: $input) { errors { code } } }"""
RESOLVE = (
    """mutation($input: ResolveFlagInput!) { resolveFlag(input: $input) { errors { code } } }"""
)
UPDATE = {
    Challenge: """mutation($input: UpdateChallengeInput!) {
      updateChallenge(input: $input) { errors { code } } }""",
    Solution: """mutation($input: UpdateSolutionInput!) {
      updateSolution(input: $input) { errors { code } } }""",
    Learning: """mutation($input: UpdateLearningInput!) {
      updateLearning(input: $input) { errors { code } } }""",
    Resource: """mutation($input: UpdateResourceInput!) {
      updateResource(input: $input) { errors { code } } }""",
}
DELETE_SOLUTION = (
    """mutation($input: DeleteInput!) { deleteSolution(input: $input) { errors { code } } }"""
)
TWIN = "Twin"  # twins have equal text: their footprints must be equal
ADMIN_NOTE = "Resolved in the admin."  # the admin's fixed note, given to the API as well


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def superuser():
    return ContributorFactory(user__is_staff=True, user__is_superuser=True)


@pytest.fixture
def web(superuser):
    browser = Client()
    browser.force_login(superuser.user)
    return browser


@pytest.fixture
def api(superuser):
    return client_for(superuser)


def api_call(api, mutation, root, variables):
    result = api.query(mutation, {"input": variables})[root]
    assert result["errors"] == []


def changelist(model) -> str:
    return reverse(f"admin:hub_{model._meta.model_name}_changelist")


def change_url(obj) -> str:
    return reverse(f"admin:hub_{obj._meta.model_name}_change", args=[obj.pk])


def admin_action(web, model, action, objects, **extra):
    response = web.post(
        changelist(model),
        {"action": action, "_selected_action": [obj.pk for obj in objects], **extra},
        follow=True,
    )
    assert response.status_code == 200
    return [str(message) for message in response.context["messages"]]


def footprint(obj, *, hide: tuple[str, ...] = ()) -> dict:
    """What the hub keeps about `obj` and a write must keep true, without ids and times.

    `hide`: ids that differ between twins, replaced in the log's reasons.
    """
    model = type(obj)
    of_obj = {"content_type": ContentType.objects.get_for_model(model), "object_id": obj.pk}
    row = model.objects.filter(pk=obj.pk).first()
    kept = {}
    if row is not None:
        names = ("status", "title", "body", "description", "summary", "is_accepted", "score")
        kept = {name: getattr(row, name) for name in names if hasattr(model, name)}
        if hasattr(model, "technologies"):
            kept["technologies"] = sorted(row.technologies.values_list("slug", flat=True))
            kept["project"] = getattr(row, "project_id", None) and row.project.title

    def unmarked(text):
        for marker in hide:
            text = text.replace(marker, "<id>")
        return text

    log = ModerationAction.objects.filter(**of_obj).order_by("pk")
    revisions = Revision.objects.filter(**of_obj).order_by("pk")
    return {
        "row": kept,
        "log": [
            (
                entry.moderator_id,
                entry.action,
                unmarked(entry.reason),
                entry.from_status,
                entry.to_status,
            )
            for entry in log
        ],
        "revisions": [
            ("author" if editor == obj.author_id else editor, title, body)
            for editor, title, body in revisions.values_list("editor_id", "title", "body")
        ],
        "search": [
            # A resource's twin is another page: its URL, in the text, may differ.
            (title, text.replace(getattr(row, "url", None) or "\0", "<url>"), published)
            for title, text, published in SearchDocument.objects.filter(**of_obj).values_list(
                "title", "text", "is_published"
            )
        ],
    }


def reputations(*contributors) -> list[int]:
    return [Contributor.objects.get(pk=c.pk).reputation for c in contributors]


# --- moderation ------------------------------------------------------------------------------


def a_comment(status):
    challenge = ChallengeFactory()
    return Comment.objects.create(
        challenge=challenge, author=ContributorFactory(), body="Hm.", status=status
    )


KINDS = {
    "Challenge": lambda status: ChallengeFactory(status=status, title=TWIN),
    "Solution": lambda status: SolutionFactory(status=status, challenge__title=TWIN),
    "Learning": lambda status: LearningFactory(status=status, title=TWIN),
    "Resource": lambda status: ResourceFactory(status=status, title=TWIN),
    "Comment": a_comment,
}
ACTIONS = {  # action -> (status before, reason)
    "PUBLISH": (ContentStatus.PENDING, ""),
    "REJECT": (ContentStatus.PENDING, "Off topic."),
    "HIDE": (ContentStatus.PUBLISHED, "Spam."),
}


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("kind", KINDS)
def test_moderation_actions_log_as_the_api_does(web, api, superuser, kind, action):
    before, reason = ACTIONS[action]
    through_api, through_admin = KINDS[kind](before), KINDS[kind](before)
    untouched = footprint(through_admin)

    api_call(
        api,
        MODERATE,
        "moderate",
        {"id": global_id(kind, through_api), "action": action, "reason": reason},
    )
    messages = admin_action(
        web, type(through_admin), action.lower(), [through_admin], reason=reason
    )

    assert footprint(through_admin) == footprint(through_api) != untouched
    assert footprint(through_admin)["log"] == [
        (
            superuser.user.pk,
            action,
            reason,
            before,
            {"PUBLISH": "PUBLISHED", "REJECT": "REJECTED", "HIDE": "HIDDEN"}[action],
        )
    ]
    assert not any(message.startswith(str(through_admin)) for message in messages), messages


def test_hiding_without_a_reason_is_refused_as_the_service_refuses_it(web):
    challenge = ChallengeFactory()
    messages = admin_action(web, Challenge, "hide", [challenge], reason="  ")

    assert Challenge.objects.get(pk=challenge.pk).status == ContentStatus.PUBLISHED
    assert not ModerationAction.objects.exists()
    assert messages == [f"{challenge}: Reason is required."]


# --- acceptance ------------------------------------------------------------------------------


def an_answered_challenge():
    """A challenge whose accepted answer earned 15, and a second, upvoted answer."""
    challenge = ChallengeFactory(title=TWIN)
    earlier = SolutionFactory(
        challenge=challenge, is_accepted=True, author=ContributorFactory(reputation=15)
    )
    later = SolutionFactory(challenge=challenge)
    solutions.vote_solution(
        viewer=challenge.author.user, solution_id=later.pk, value=solutions.VoteValue.UP
    )
    return earlier, later


def test_accepting_moves_reputation_as_the_api_does(web, api):
    api_earlier, api_later = an_answered_challenge()
    admin_earlier, admin_later = an_answered_challenge()

    api_call(api, ACCEPT, "acceptSolution", {"solutionId": global_id("Solution", api_later)})
    admin_action(web, Solution, "accept", [admin_later])

    assert reputations(admin_earlier.author, admin_later.author) == [0, 25]
    assert reputations(api_earlier.author, api_later.author) == [0, 25]
    for api_side, admin_side in [(api_earlier, admin_earlier), (api_later, admin_later)]:
        assert footprint(admin_side) == footprint(api_side)
    assert Solution.objects.get(pk=admin_later.pk).is_accepted


# --- revisions and flags ---------------------------------------------------------------------


def an_edited_challenge():
    challenge = ChallengeFactory(title="First title", description="First text.")
    challenges.update_challenge(
        viewer=challenge.author.user,
        challenge_id=challenge.pk,
        title="Second title",
        description="Second text.",
    )
    return challenge, Revision.objects.get(object_id=challenge.pk, content_type__model="challenge")


def test_restoring_a_revision_keeps_history_as_the_api_does(web, api):
    api_challenge, api_revision = an_edited_challenge()
    admin_challenge, admin_revision = an_edited_challenge()

    api_call(api, RESTORE, "restoreRevision", {"id": global_id("Revision", api_revision)})
    admin_action(web, Revision, "restore", [admin_revision])

    restored = footprint(admin_challenge, hide=(str(admin_revision.pk),))
    assert restored == footprint(api_challenge, hide=(str(api_revision.pk),))
    assert restored["row"]["title"] == "First title"
    assert [title for _, title, _ in restored["revisions"]] == ["First title", "Second title"]


def test_resolving_a_flag_logs_as_the_api_does(web, api, superuser):
    flags = [
        Flag.objects.create(
            reporter=ContributorFactory(),
            target=ChallengeFactory(title=TWIN),
            reason=FlagReason.SPAM,
        )
        for _ in range(2)
    ]

    api_call(api, RESOLVE, "resolveFlag", {"id": global_id("Flag", flags[0]), "note": ADMIN_NOTE})
    admin_action(web, Flag, "mark_resolved", [flags[1]])

    api_flag, admin_flag = (Flag.objects.get(pk=flag.pk) for flag in flags)
    assert admin_flag.resolved_by == api_flag.resolved_by == superuser.user
    assert admin_flag.resolved_at is not None
    assert footprint(admin_flag.target) == footprint(api_flag.target)
    assert footprint(admin_flag.target)["log"] == [
        (superuser.user.pk, "RESOLVE_FLAG", ADMIN_NOTE, "", "")
    ]


# --- edits through the change form -----------------------------------------------------------


def form_data(web, obj, **changes) -> dict:
    """The change form's POST as the browser sends it: its current values, then `changes`."""
    page = web.get(change_url(obj))
    assert page.status_code == 200
    data = {}
    forms = [page.context["adminform"].form]
    for inline in page.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            if isinstance(value, list | tuple):
                value = [getattr(item, "pk", item) for item in value]
            data[form.add_prefix(name)] = value
    return data | changes


EDITS = {
    Challenge: (
        lambda: ChallengeFactory(
            title="Old title", description="Old text.", project=ProjectFactory()
        ),
        lambda tech, project: {
            "title": "New title",
            "description": "New **text**.",
            "technologies": [tech.pk],
            "project": project.pk,
        },
        lambda tech, project: {
            "title": "New title",
            "description": "New **text**.",
            "technologies": [tech.slug],
            "project": project.slug,
        },
    ),
    Solution: (
        lambda: SolutionFactory(body="Old answer.", challenge__title=TWIN),
        lambda tech, project: {"body": "New answer."},
        lambda tech, project: {"body": "New answer."},
    ),
    Learning: (
        lambda: LearningFactory(title="Old learning", body="Old body."),
        lambda tech, project: {
            "title": "New learning",
            "summary": "Short.",
            "technologies": [tech.pk],
        },
        lambda tech, project: {
            "title": "New learning",
            "summary": "Short.",
            "technologies": [tech.slug],
        },
    ),
}


EDITS[Resource] = (
    lambda: ResourceFactory(title="Old resource", summary="Old summary."),
    lambda tech, project: {"title": "New resource", "kind": "BOOK", "technologies": [tech.pk]},
    lambda tech, project: {"title": "New resource", "kind": "BOOK", "technologies": [tech.slug]},
)


@pytest.mark.parametrize("model", EDITS, ids=lambda model: model.__name__)
def test_edits_in_the_change_form_keep_revisions_as_the_api_does(web, api, model):
    make, form_changes, api_changes = EDITS[model]
    tech, project = TechnologyFactory(), ProjectFactory()
    through_api, through_admin = make(), make()
    untouched = footprint(through_admin)

    api_call(
        api,
        UPDATE[model],
        f"update{model.__name__}",
        {"id": global_id(model.__name__, through_api), **api_changes(tech, project)},
    )
    response = web.post(
        change_url(through_admin), form_data(web, through_admin, **form_changes(tech, project))
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    edited = footprint(through_admin)
    assert edited == footprint(through_api) != untouched
    assert len(edited["revisions"]) == 1


def test_a_refused_edit_writes_nothing_and_says_why(web, settings):
    settings.HUB_CONTENT_FILTER = {**settings.HUB_CONTENT_FILTER, "BANNED_WORDS": ["forbidden"]}
    challenge = ChallengeFactory(title="Old title")
    before = footprint(challenge)

    response = web.post(
        change_url(challenge), form_data(web, challenge, title="A forbidden title"), follow=True
    )

    assert footprint(challenge) == before
    assert [str(m) for m in response.context["messages"]] == [
        "Nothing was saved: Title contains a banned word ('forbidden')."
    ]


def test_removing_a_challenges_project_is_refused_on_the_form(web):
    challenge = ChallengeFactory(project=ProjectFactory())
    data = form_data(web, challenge)
    del data["project"]

    response = web.post(change_url(challenge), data)

    assert response.status_code == 200  # the form again, with its error
    assert "project" in response.context["adminform"].form.errors
    assert Challenge.objects.get(pk=challenge.pk).project_id == challenge.project_id


# --- read-only fields ------------------------------------------------------------------------


def test_a_crafted_post_cannot_change_status_acceptance_score_or_author(web):
    solution = SolutionFactory(body="Answer.")
    other = ContributorFactory()
    before = footprint(solution)

    response = web.post(
        change_url(solution),
        form_data(
            web,
            solution,
            status=ContentStatus.HIDDEN,
            is_accepted="on",
            score="999",
            author=other.pk,
            challenge=ChallengeFactory().pk,
        ),
    )

    assert response.status_code == 302
    row = Solution.objects.get(pk=solution.pk)
    assert (row.status, row.is_accepted, row.score) == (ContentStatus.PUBLISHED, False, 0)
    assert (row.author_id, row.challenge_id) == (solution.author_id, solution.challenge_id)
    assert footprint(solution) == before  # nothing changed: no revision, no log


@pytest.mark.parametrize("model", [Challenge, Learning, Resource], ids=lambda model: model.__name__)
def test_a_crafted_post_cannot_change_a_status(web, model):
    obj = {Challenge: ChallengeFactory, Learning: LearningFactory, Resource: ResourceFactory}[
        model
    ]()
    before = footprint(obj)

    response = web.post(
        change_url(obj), form_data(web, obj, status=ContentStatus.HIDDEN, slug="other-slug")
    )

    assert response.status_code == 302
    assert footprint(obj) == before
    assert model.objects.get(pk=obj.pk).slug == obj.slug


def test_view_only_rows_refuse_a_post(web):
    contributor = ContributorFactory()
    solution = SolutionFactory()
    vote = Vote.objects.create(solution=solution, voter=contributor, value=Vote.UP)
    comment = Comment.objects.create(challenge=solution.challenge, author=contributor, body="Hi.")
    flag = Flag.objects.create(reporter=contributor, target=solution, reason=FlagReason.SPAM)

    for obj, changes in [
        (contributor, {"reputation": "1000", "display_name": "Renamed"}),
        (vote, {"value": "-1"}),
        (comment, {"status": ContentStatus.HIDDEN, "body": "Edited."}),
        (flag, {"resolved_at_0": "2030-01-01", "resolved_at_1": "00:00:00"}),
    ]:
        assert web.post(change_url(obj), changes).status_code == 403, obj

    assert Contributor.objects.get(pk=contributor.pk).reputation == 0
    assert Contributor.objects.get(pk=contributor.pk).display_name == contributor.display_name
    assert Vote.objects.get().value == Vote.UP
    assert Comment.objects.get().status == ContentStatus.PUBLISHED
    assert Flag.objects.get().resolved_at is None


@pytest.mark.parametrize("model", [Challenge, Solution, Learning, Comment, Vote, Contributor, Flag])
def test_nothing_is_added_in_the_admin(web, model):
    response = web.post(reverse(f"admin:hub_{model._meta.model_name}_add"), {})

    assert response.status_code == 403


# --- deletions -------------------------------------------------------------------------------


def an_accepted_upvoted_solution():
    solution = SolutionFactory()
    solutions.vote_solution(
        viewer=solution.challenge.author.user, solution_id=solution.pk, value=solutions.VoteValue.UP
    )
    solutions.accept_solution(viewer=solution.challenge.author.user, solution_id=solution.pk)
    assert reputations(solution.author) == [25]
    return solution


def test_deleting_a_solution_takes_back_its_reputation_as_the_api_does(web, api):
    through_api, through_admin = an_accepted_upvoted_solution(), an_accepted_upvoted_solution()

    api_call(api, DELETE_SOLUTION, "deleteSolution", {"id": global_id("Solution", through_api)})
    response = web.post(
        reverse("admin:hub_solution_delete", args=[through_admin.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not Solution.objects.filter(pk__in=[through_api.pk, through_admin.pk]).exists()
    assert reputations(through_api.author, through_admin.author) == [0, 0]


def test_deleting_challenges_in_bulk_takes_back_their_answers_reputation(web):
    answers = [an_accepted_upvoted_solution() for _ in range(2)]
    challenges_ = [answer.challenge for answer in answers]

    admin_action(web, Challenge, "delete_selected", challenges_, post="yes")

    assert not Challenge.objects.filter(pk__in=[c.pk for c in challenges_]).exists()
    assert reputations(*(answer.author for answer in answers)) == [0, 0]


@pytest.mark.parametrize(
    "model", [Learning, Comment, Vote, Contributor, Flag, Revision, ModerationAction]
)
def test_rows_without_a_delete_service_are_not_deleted_here(web, model, superuser):
    obj = {
        Learning: LearningFactory,
        Comment: lambda: a_comment(ContentStatus.PUBLISHED),
        Vote: lambda: Vote.objects.create(solution=SolutionFactory(), voter=superuser, value=1),
        Contributor: ContributorFactory,
        Flag: lambda: Flag.objects.create(
            reporter=superuser, target=ChallengeFactory(), reason=FlagReason.SPAM
        ),
        Revision: lambda: an_edited_challenge()[1],
        ModerationAction: lambda: ModerationAction.objects.create(
            moderator=superuser.user, target=ChallengeFactory(), action="HIDE", reason="x"
        ),
    }[model]()

    response = web.post(
        reverse(f"admin:hub_{model._meta.model_name}_delete", args=[obj.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


# --- who gets in -----------------------------------------------------------------------------


@pytest.mark.parametrize("staff", [False, True], ids=["contributor", "staff-without-permissions"])
def test_others_cannot_reach_the_admin_or_its_actions(staff):
    user = ContributorFactory(user__is_staff=staff).user
    browser = Client()
    browser.force_login(user)
    challenge = ChallengeFactory()

    pages = [changelist(Challenge), change_url(challenge)]
    answers = [browser.get(page).status_code for page in pages]
    posted = browser.post(
        changelist(Challenge), {"action": "hide", "_selected_action": [challenge.pk], "reason": "x"}
    )

    # Not staff: sent to the admin's sign-in; staff without permissions: 403.
    assert answers == ([403, 403] if staff else [302, 302])
    assert posted.status_code == (403 if staff else 302)
    assert Challenge.objects.get(pk=challenge.pk).status == ContentStatus.PUBLISHED
    assert not ModerationAction.objects.exists()
