"""hub.services.learnings: submissions enter PENDING; edits keep revisions."""

import pytest
from django.contrib.auth.models import AnonymousUser

from hub import selectors
from hub.models import ContentStatus, Learning, LearningKind, ModerationAction, Revision
from hub.services import learnings, moderation
from tests.factories import ContributorFactory, LearningFactory, TechnologyFactory
from tests.hub.service_helpers import errors_of, row_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def django_tech():
    return TechnologyFactory(name="Django")


def submit(viewer, **overrides):
    fields = {
        "title": "Indexes are not free",
        "kind": LearningKind.BEST_PRACTICE,
        "summary": "Every index slows writes.",
        "body": "Measure **before** adding one.",
        "technologies": ["django"],
    }
    fields.update(overrides)
    return learnings.submit_learning(viewer=viewer, **fields)


def test_a_submitted_learning_waits_for_review(contributor, django_tech):
    learning = submit(contributor.user)

    learning.refresh_from_db()
    assert learning.status == ContentStatus.PENDING
    assert learning.published_at is None
    assert learning.author == contributor
    assert learning.kind == LearningKind.BEST_PRACTICE
    assert learning.slug == "indexes-are-not-free"
    assert "<strong>before</strong>" in learning.body_html
    assert list(learning.technologies.all()) == [django_tech]


def test_summary_and_technologies_are_optional(contributor):
    learning = submit(contributor.user, summary=None, technologies=None)

    assert learning.summary == ""
    assert learning.technologies.count() == 0


def test_a_pending_learning_is_seen_by_its_author_and_moderators_only(contributor, moderator):
    learning = submit(contributor.user, technologies=None)
    others = [AnonymousUser(), ContributorFactory().user]

    for viewer in others:
        assert selectors.get_content(model=Learning, viewer=viewer, pk=learning.pk) is None
        assert (
            selectors.get_content_by_slug(model=Learning, viewer=viewer, slug=learning.slug) is None
        )
        assert learning not in selectors.list_content(model=Learning, viewer=viewer)
    for viewer in (contributor.user, moderator.user):
        assert selectors.get_content(model=Learning, viewer=viewer, pk=learning.pk) == learning
        assert (
            selectors.get_content_by_slug(model=Learning, viewer=viewer, slug=learning.slug)
            == learning
        )
        assert learning in selectors.list_content(model=Learning, viewer=viewer)

    moderation.moderate_content(
        viewer=moderator.user, model=Learning, object_id=learning.pk, action="PUBLISH", reason=None
    )

    for viewer in others:
        assert selectors.get_content(model=Learning, viewer=viewer, pk=learning.pk) == learning


def test_submit_reports_every_problem_at_once_and_writes_nothing(contributor):
    before = row_counts()

    errors = errors_of(
        submit, contributor.user, title=None, kind=None, body="", technologies=["nope"]
    )

    assert errors == {
        ("title", "REQUIRED"),
        ("kind", "REQUIRED"),
        ("body", "REQUIRED"),
        ("technologies", "NOT_FOUND"),
    }
    assert row_counts() == before


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"title": "t" * 201}, ("title", "TOO_LONG")),
        ({"summary": "s" * 301}, ("summary", "TOO_LONG")),
        ({"body": "b" * 20_001}, ("body", "TOO_LONG")),
        ({"kind": "OPINION"}, ("kind", "INVALID")),
        ({"title": "Casino bonus tips"}, ("title", "INVALID")),
        ({"summary": "viagra"}, ("summary", "INVALID")),
        ({"body": " ".join(f"https://s{i}.example" for i in range(9))}, ("body", "INVALID")),
        ({"technologies": [f"t{i}" for i in range(11)]}, ("technologies", "INVALID")),
    ],
)
def test_submit_rejects_bad_fields_and_writes_nothing(
    contributor, django_tech, overrides, expected
):
    before = row_counts()

    assert errors_of(submit, contributor.user, **overrides) == {expected}
    assert row_counts() == before


def test_submit_needs_a_signed_in_user(django_tech):
    assert errors_of(submit, AnonymousUser()) == {(None, "UNAUTHENTICATED")}
    assert Learning.objects.count() == 0


def test_update_keeps_the_previous_text_as_a_revision(contributor, django_tech):
    learning = LearningFactory(author=contributor, title="Old", body="Old body.")

    learnings.update_learning(
        viewer=contributor.user,
        learning_id=learning.pk,
        title="New",
        body="New body.",
        summary="New summary.",
    )

    learning.refresh_from_db()
    assert (learning.title, learning.body, learning.summary) == ("New", "New body.", "New summary.")
    revision = Revision.objects.get()
    assert (revision.target, revision.title, revision.body) == (learning, "Old", "Old body.")
    assert revision.editor == contributor


def test_each_text_change_adds_a_revision_and_others_do_not(contributor, django_tech):
    learning = LearningFactory(author=contributor, title="T", body="B1")

    learnings.update_learning(viewer=contributor.user, learning_id=learning.pk, body="B2")
    learnings.update_learning(viewer=contributor.user, learning_id=learning.pk, title="T2")
    learnings.update_learning(
        viewer=contributor.user, learning_id=learning.pk, summary="Only the summary"
    )
    learnings.update_learning(
        viewer=contributor.user, learning_id=learning.pk, technologies=["django"]
    )

    assert [(r.title, r.body) for r in learning.revisions.order_by("id")] == [
        ("T", "B1"),
        ("T", "B2"),
    ]
    assert list(Learning.objects.get(pk=learning.pk).technologies.all()) == [django_tech]


def test_an_author_edits_their_pending_learning(contributor):
    learning = submit(contributor.user, technologies=None)

    learnings.update_learning(viewer=contributor.user, learning_id=learning.pk, body="Better body.")

    learning.refresh_from_db()
    assert learning.body == "Better body."
    assert learning.status == ContentStatus.PENDING


def test_a_moderator_edits_anyones_learning(moderator):
    learning = LearningFactory(status=ContentStatus.PENDING)

    learnings.update_learning(viewer=moderator.user, learning_id=learning.pk, title="Retitled")

    assert Learning.objects.get(pk=learning.pk).title == "Retitled"
    assert Revision.objects.get().editor == moderator


def test_update_denials(contributor):
    published = LearningFactory(title="Kept")
    pending = LearningFactory(status=ContentStatus.PENDING)
    before = row_counts()

    assert errors_of(
        learnings.update_learning, viewer=contributor.user, learning_id=published.pk, title="X"
    ) == {(None, "FORBIDDEN")}
    assert errors_of(
        learnings.update_learning, viewer=AnonymousUser(), learning_id=published.pk, title="X"
    ) == {(None, "UNAUTHENTICATED")}
    for pk in (pending.pk, 999_999):
        assert errors_of(
            learnings.update_learning, viewer=contributor.user, learning_id=pk, title="X"
        ) == {("id", "NOT_FOUND")}
    assert Learning.objects.get(pk=published.pk).title == "Kept"
    assert row_counts() == before


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"title": ""}, ("title", "REQUIRED")),
        ({"body": "  "}, ("body", "REQUIRED")),
        ({"title": "t" * 201}, ("title", "TOO_LONG")),
        ({"summary": "s" * 301}, ("summary", "TOO_LONG")),
        ({"body": "crypto giveaway"}, ("body", "INVALID")),
        ({"technologies": ["nope"]}, ("technologies", "NOT_FOUND")),
    ],
)
def test_update_rejects_bad_fields_and_changes_nothing(contributor, fields, expected):
    learning = LearningFactory(author=contributor, title="Kept", body="Kept body.")
    fields = {"title": "Changed", **fields}
    before = row_counts()

    assert errors_of(
        learnings.update_learning, viewer=contributor.user, learning_id=learning.pk, **fields
    ) == {expected}
    learning.refresh_from_db()
    assert (learning.title, learning.body) == ("Kept", "Kept body.")
    assert row_counts() == before


EDITS = {
    "title": {"title": "A new title"},
    "body": {"body": "A new body."},
    "summary": {"summary": "A new summary."},
    "technologies": {"technologies": ["django", "redis"]},
    "nothing new": {"title": "T", "body": "B"},
}
EDITORS = ["author", "moderator"]


@pytest.mark.parametrize("status", list(ContentStatus))
@pytest.mark.parametrize("edit", list(EDITS))
@pytest.mark.parametrize("editor", EDITORS)
def test_an_authors_edit_of_a_published_learning_goes_back_to_review(
    contributor, moderator, django_tech, status, edit, editor
):
    """Every status x every kind of edit x author or moderator: only an author's real
    change of a PUBLISHED learning makes it PENDING; the revision is kept either way."""
    TechnologyFactory(name="Redis")
    learning = LearningFactory(author=contributor, status=status, title="T", body="B")
    learning.technologies.set([django_tech])
    acting = contributor if editor == "author" else moderator

    learnings.update_learning(viewer=acting.user, learning_id=learning.pk, **EDITS[edit])

    learning.refresh_from_db()
    changed = edit != "nothing new"
    back_to_review = changed and editor == "author" and status == ContentStatus.PUBLISHED
    assert learning.status == (ContentStatus.PENDING if back_to_review else status)
    text_changed = edit in ("title", "body")
    assert Revision.objects.filter(object_id=learning.pk).count() == int(text_changed)
    assert ModerationAction.objects.count() == 0  # the log records moderators' acts only
    if back_to_review:
        assert selectors.get_content(model=Learning, viewer=AnonymousUser(), pk=learning.pk) is None
        moderation.moderate_content(
            viewer=moderator.user, model=Learning, object_id=learning.pk, action="PUBLISH"
        )
        assert (
            selectors.get_content(model=Learning, viewer=AnonymousUser(), pk=learning.pk)
            is not None
        )
