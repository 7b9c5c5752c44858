"""hub.services.challenges: submit (one or many), update with history, delete."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models.signals import post_save

from hub.errors import ApplicationError, ErrorCode
from hub.models import Challenge, ContentStatus, Revision
from hub.services import challenges, solutions
from tests.factories import (
    ChallengeFactory,
    ContributorFactory,
    ProjectFactory,
    SolutionFactory,
    TechnologyFactory,
)
from tests.hub.service_helpers import errors_of, reputation_of, row_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def django_tech():
    return TechnologyFactory(name="Django")


@pytest.fixture
def redis_tech():
    return TechnologyFactory(name="Redis")


@pytest.fixture
def project():
    return ProjectFactory(title="Nexus")


def valid_input(**overrides) -> dict:
    fields = {
        "title": "Cache stampede",
        "description": "Everything expired at once.",
        "project": None,
        "technologies": ["django"],
    }
    fields.update(overrides)
    return fields


# --- submit -----------------------------------------------------------------------------------


def test_submit_creates_a_published_challenge_with_its_relations(
    contributor, django_tech, redis_tech, project
):
    challenge = challenges.submit_challenge(
        viewer=contributor.user,
        **valid_input(title="  Cache stampede ", project="nexus", technologies=["redis", "django"]),
    )

    challenge.refresh_from_db()
    assert challenge.title == "Cache stampede"
    assert challenge.slug == "cache-stampede"
    assert challenge.author == contributor
    assert challenge.project == project
    assert challenge.status == ContentStatus.PUBLISHED
    assert challenge.published_at is not None
    assert set(challenge.technologies.all()) == {django_tech, redis_tech}
    assert "<p>Everything expired at once.</p>" in challenge.description_html


def test_submit_without_project_or_technologies(contributor):
    challenge = challenges.submit_challenge(
        viewer=contributor.user, **valid_input(technologies=None)
    )

    assert challenge.project is None
    assert challenge.technologies.count() == 0


def test_submit_reports_every_problem_at_once_and_writes_nothing(contributor):
    before = row_counts()

    errors = errors_of(
        challenges.submit_challenge,
        viewer=contributor.user,
        title="  ",
        description=None,
        project="nope",
        technologies=["nope"],
    )

    assert errors == {
        ("title", "REQUIRED"),
        ("description", "REQUIRED"),
        ("project", "NOT_FOUND"),
        ("technologies", "NOT_FOUND"),
    }
    assert row_counts() == before


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"title": "t" * 201}, ("title", "TOO_LONG")),
        ({"description": "d" * 20_001}, ("description", "TOO_LONG")),
        ({"title": "VIAGRA for your tests"}, ("title", "INVALID")),
        ({"description": "Claim your Casino Bonus now"}, ("description", "INVALID")),
        (
            {"description": "\n".join(f"https://spam{i}.example" for i in range(9))},
            ("description", "INVALID"),
        ),
        ({"technologies": [f"tech-{i}" for i in range(11)]}, ("technologies", "INVALID")),
        ({"technologies": ["django", "kubernetes"]}, ("technologies", "NOT_FOUND")),
    ],
)
def test_submit_rejects_bad_fields_and_writes_nothing(
    contributor, django_tech, overrides, expected
):
    before = row_counts()

    assert errors_of(
        challenges.submit_challenge, viewer=contributor.user, **valid_input(**overrides)
    ) == {expected}
    assert row_counts() == before


def test_submit_accepts_up_to_the_link_limit(contributor, django_tech):
    description = "\n".join(f"https://docs{i}.example" for i in range(8))

    challenge = challenges.submit_challenge(
        viewer=contributor.user, **valid_input(description=description)
    )

    assert challenge.description == description


def test_submit_needs_a_signed_in_user(django_tech):
    before = row_counts()

    assert errors_of(challenges.submit_challenge, viewer=AnonymousUser(), **valid_input()) == {
        (None, "UNAUTHENTICATED")
    }
    assert row_counts() == before


# --- bulk submit ------------------------------------------------------------------------------


def test_bulk_submit_creates_the_valid_items_and_reports_the_others_by_index(
    contributor, django_tech, redis_tech
):
    items = [
        valid_input(title="First", technologies=["django", "redis"]),
        valid_input(title="", technologies=["django"]),
        valid_input(title="Third", technologies=["redis", "nope"]),
        valid_input(title="Fourth", technologies=["redis"]),
    ]

    created, errors = challenges.bulk_submit_challenges(viewer=contributor.user, items=items)

    assert [c.title for c in created] == ["First", "Fourth"]
    assert [(e.index, e.field, e.code) for e in errors] == [
        (1, "title", ErrorCode.REQUIRED),
        (2, "technologies", ErrorCode.NOT_FOUND),
    ]
    assert sorted(Challenge.objects.values_list("title", flat=True)) == ["First", "Fourth"]
    first, fourth = Challenge.objects.get(title="First"), Challenge.objects.get(title="Fourth")
    assert set(first.technologies.all()) == {django_tech, redis_tech}
    assert set(fourth.technologies.all()) == {redis_tech}


def test_bulk_submit_never_leaves_a_challenge_without_its_technologies(contributor, django_tech):
    """An item failing after its row was inserted is rolled back whole (its own savepoint)."""

    def fail_for_doomed(sender, instance, created, **kwargs):
        if created and instance.title == "Doomed":
            raise ApplicationError(ErrorCode.INVALID, "Linking failed.", "technologies")

    post_save.connect(fail_for_doomed, sender=Challenge, dispatch_uid="test-doomed")
    try:
        created, errors = challenges.bulk_submit_challenges(
            viewer=contributor.user,
            items=[
                valid_input(title="Fine"),
                valid_input(title="Doomed"),
                valid_input(title="Also fine"),
            ],
        )
    finally:
        post_save.disconnect(sender=Challenge, dispatch_uid="test-doomed")

    assert [c.title for c in created] == ["Fine", "Also fine"]
    assert [(e.index, e.field) for e in errors] == [(1, "technologies")]
    assert not Challenge.objects.filter(title="Doomed").exists()
    for challenge in Challenge.objects.all():
        assert list(challenge.technologies.all()) == [django_tech]


def test_bulk_submit_with_only_invalid_items_writes_nothing(contributor):
    before = row_counts()

    created, errors = challenges.bulk_submit_challenges(
        viewer=contributor.user,
        items=[
            valid_input(title="", technologies=None),
            valid_input(description="", project="nope"),
        ],
    )

    assert created == []
    assert {(e.index, e.field, e.code) for e in errors} == {
        (0, "title", ErrorCode.REQUIRED),
        (1, "description", ErrorCode.REQUIRED),
        (1, "project", ErrorCode.NOT_FOUND),
        (1, "technologies", ErrorCode.NOT_FOUND),
    }
    assert row_counts() == before


def test_bulk_submit_needs_items_within_the_limit(contributor, django_tech):
    before = row_counts()

    assert errors_of(challenges.bulk_submit_challenges, viewer=contributor.user, items=[]) == {
        ("challenges", "REQUIRED")
    }
    assert errors_of(
        challenges.bulk_submit_challenges,
        viewer=contributor.user,
        items=[valid_input(title=f"C{i}") for i in range(51)],
    ) == {("challenges", "INVALID")}
    assert row_counts() == before


def test_bulk_submit_needs_a_signed_in_user(django_tech):
    assert errors_of(
        challenges.bulk_submit_challenges, viewer=AnonymousUser(), items=[valid_input()]
    ) == {(None, "UNAUTHENTICATED")}
    assert Challenge.objects.count() == 0


# --- update -----------------------------------------------------------------------------------


def test_update_keeps_the_previous_text_as_a_revision(contributor, django_tech, redis_tech):
    challenge = ChallengeFactory(author=contributor, title="Old title", description="Old text.")
    challenge.technologies.set([django_tech])

    updated = challenges.update_challenge(
        viewer=contributor.user,
        challenge_id=challenge.pk,
        title="New title",
        description="New text.",
        technologies=["redis"],
    )

    challenge.refresh_from_db()
    assert updated.pk == challenge.pk
    assert (challenge.title, challenge.description) == ("New title", "New text.")
    assert "New text." in challenge.description_html
    assert list(challenge.technologies.all()) == [redis_tech]
    revision = Revision.objects.get()
    assert revision.target == challenge
    assert (revision.title, revision.body) == ("Old title", "Old text.")
    assert revision.editor == contributor


def test_each_update_adds_a_revision(contributor):
    challenge = ChallengeFactory(author=contributor, title="v1", description="Text 1.")

    for n in (2, 3, 4):
        challenges.update_challenge(
            viewer=contributor.user, challenge_id=challenge.pk, description=f"Text {n}."
        )

    assert [(r.title, r.body) for r in challenge.revisions.order_by("id")] == [
        ("v1", "Text 1."),
        ("v1", "Text 2."),
        ("v1", "Text 3."),
    ]


def test_an_update_changing_no_text_adds_no_revision(contributor, project):
    challenge = ChallengeFactory(author=contributor, title="Same", description="Same text.")

    challenges.update_challenge(
        viewer=contributor.user,
        challenge_id=challenge.pk,
        title="Same",
        description="Same text.",
        project="nexus",
    )

    challenge.refresh_from_db()
    assert challenge.project == project
    assert Revision.objects.count() == 0


def test_a_moderator_may_update_anyones_challenge(moderator):
    challenge = ChallengeFactory(title="Before")

    challenges.update_challenge(viewer=moderator.user, challenge_id=challenge.pk, title="After")

    challenge.refresh_from_db()
    assert challenge.title == "After"
    assert Revision.objects.get().editor == moderator


def test_only_the_author_or_a_moderator_updates(contributor):
    challenge = ChallengeFactory(title="Before")
    before = row_counts()

    assert errors_of(
        challenges.update_challenge, viewer=contributor.user, challenge_id=challenge.pk, title="X"
    ) == {(None, "FORBIDDEN")}
    assert errors_of(
        challenges.update_challenge, viewer=AnonymousUser(), challenge_id=challenge.pk, title="X"
    ) == {(None, "UNAUTHENTICATED")}

    challenge.refresh_from_db()
    assert challenge.title == "Before"
    assert row_counts() == before


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"title": ""}, ("title", "REQUIRED")),
        ({"description": "   "}, ("description", "REQUIRED")),
        ({"title": "t" * 201}, ("title", "TOO_LONG")),
        ({"description": "free money inside"}, ("description", "INVALID")),
        ({"project": "nope"}, ("project", "NOT_FOUND")),
        ({"technologies": ["nope"]}, ("technologies", "NOT_FOUND")),
    ],
)
def test_update_rejects_bad_fields_and_changes_nothing(contributor, django_tech, fields, expected):
    challenge = ChallengeFactory(author=contributor, title="Kept", description="Kept text.")
    challenge.technologies.set([django_tech])
    # A valid change next to the bad one is not written either.
    fields = {"title": "Changed", **fields}
    before = row_counts()

    assert errors_of(
        challenges.update_challenge, viewer=contributor.user, challenge_id=challenge.pk, **fields
    ) == {expected}

    challenge.refresh_from_db()
    assert (challenge.title, challenge.description) == ("Kept", "Kept text.")
    assert list(challenge.technologies.all()) == [django_tech]
    assert row_counts() == before


def test_update_of_an_unknown_or_invisible_challenge_is_not_found(contributor):
    hidden = ChallengeFactory(status=ContentStatus.HIDDEN)

    for pk in (hidden.pk, 999_999):
        assert errors_of(
            challenges.update_challenge, viewer=contributor.user, challenge_id=pk, title="X"
        ) == {("id", "NOT_FOUND")}


def test_an_author_may_update_their_own_hidden_challenge(contributor):
    challenge = ChallengeFactory(author=contributor, status=ContentStatus.HIDDEN)

    challenges.update_challenge(viewer=contributor.user, challenge_id=challenge.pk, title="Fixed")

    assert Challenge.objects.get(pk=challenge.pk).title == "Fixed"


# --- delete -----------------------------------------------------------------------------------


def test_the_author_deletes_an_unanswered_challenge(contributor):
    challenge = ChallengeFactory(author=contributor)
    challenges.update_challenge(viewer=contributor.user, challenge_id=challenge.pk, title="Edited")

    assert (
        challenges.delete_challenge(viewer=contributor.user, challenge_id=challenge.pk)
        == challenge.pk
    )

    assert not Challenge.objects.filter(pk=challenge.pk).exists()
    assert Revision.objects.count() == 0


def test_the_author_may_not_delete_a_challenge_others_answered(contributor):
    challenge = ChallengeFactory(author=contributor)
    SolutionFactory(challenge=challenge)
    before = row_counts()

    assert errors_of(
        challenges.delete_challenge, viewer=contributor.user, challenge_id=challenge.pk
    ) == {("id", "NOT_ALLOWED")}
    assert row_counts() == before


def test_the_author_may_delete_a_challenge_only_they_answered(contributor):
    challenge = ChallengeFactory(author=contributor)
    SolutionFactory(challenge=challenge, author=contributor)

    challenges.delete_challenge(viewer=contributor.user, challenge_id=challenge.pk)

    assert Challenge.objects.count() == 0


def test_a_moderator_deletes_an_answered_challenge_and_its_earnings_are_withdrawn(
    moderator, contributor
):
    challenge = ChallengeFactory()
    solution = SolutionFactory(challenge=challenge)
    solutions.vote_solution(viewer=contributor.user, solution_id=solution.pk, value="UP")
    solutions.accept_solution(viewer=challenge.author.user, solution_id=solution.pk)
    assert reputation_of(solution.author) == 25

    challenges.delete_challenge(viewer=moderator.user, challenge_id=challenge.pk)

    assert Challenge.objects.count() == 0
    assert reputation_of(solution.author) == 0


def test_delete_denials_and_unknown_ids(contributor):
    challenge = ChallengeFactory()
    hidden = ChallengeFactory(status=ContentStatus.HIDDEN)
    before = row_counts()

    assert errors_of(
        challenges.delete_challenge, viewer=contributor.user, challenge_id=challenge.pk
    ) == {(None, "FORBIDDEN")}
    assert errors_of(
        challenges.delete_challenge, viewer=AnonymousUser(), challenge_id=challenge.pk
    ) == {(None, "UNAUTHENTICATED")}
    assert errors_of(
        challenges.delete_challenge, viewer=contributor.user, challenge_id=hidden.pk
    ) == {("id", "NOT_FOUND")}
    assert errors_of(
        challenges.delete_challenge, viewer=contributor.user, challenge_id=999_999
    ) == {("id", "NOT_FOUND")}
    assert row_counts() == before


def test_other_contributors_challenges_are_untouched_by_a_delete(contributor):
    mine = ChallengeFactory(author=contributor)
    theirs = ChallengeFactory(author=ContributorFactory())

    challenges.delete_challenge(viewer=contributor.user, challenge_id=mine.pk)

    assert list(Challenge.objects.all()) == [theirs]
