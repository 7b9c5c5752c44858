"""Text the database cannot store or compare is refused by every service, on its field.

PostgreSQL refuses NUL in text (SQLite keeps it) and no UTF-8 encoder takes a lone
surrogate; `hub.services.rules` refuses both for every text input, the same on both
databases. The cases are every text input of every writing service.
"""

import pytest
from django.contrib.contenttypes.models import ContentType

from hub.models import Challenge, Flag, Learning, Solution
from hub.services import accounts, challenges, comments, learnings, moderation, solutions
from hub.services.rules import Checks, find_unstorable_error, require_storable
from tests.factories import (
    ChallengeFactory,
    ContributorFactory,
    LearningFactory,
    ProjectFactory,
    SolutionFactory,
    TechnologyFactory,
)
from tests.hub.service_helpers import errors_of, row_counts

pytestmark = pytest.mark.django_db

UNSTORABLE = {"NUL": "x\x00y", "lone surrogate": "x\ud800y", "lone low surrogate": "\udfff"}
STORABLE = [
    "plain",
    "emoji \N{GRINNING FACE}",
    "中文",
    "tab\tand newline\n",
    "\N{REPLACEMENT CHARACTER}",
]


@pytest.mark.parametrize("value", UNSTORABLE.values(), ids=UNSTORABLE.keys())
def test_unstorable_text_is_invalid_on_its_field(value):
    error = find_unstorable_error("bio", value)
    assert (error.field, error.code.value) == ("bio", "INVALID")
    with pytest.raises(type(error)):
        require_storable("bio", value)
    checks = Checks()
    assert checks.text("bio", value, max_length=10) is None  # never reaches a query
    assert [(e.field, e.code.value) for e in checks.errors] == [("bio", "INVALID")]


@pytest.mark.parametrize("value", STORABLE)
def test_any_other_unicode_is_storable(value):
    assert find_unstorable_error("bio", value) is None
    require_storable("bio", value)


def _world():
    member = ContributorFactory()
    moderator = ContributorFactory(user__is_staff=True)
    tech, project = TechnologyFactory(), ProjectFactory()
    challenge = ChallengeFactory(author=member)
    solution = SolutionFactory(challenge=challenge, author=member)
    learning = LearningFactory(author=member)
    other = SolutionFactory(challenge=challenge)
    flag = Flag.objects.create(
        reporter=member,
        content_type=ContentType.objects.get_for_model(other),
        object_id=other.pk,
        reason="SPAM",
    )
    return locals()


def _challenge(w, **fields):
    valid = {"title": "T", "description": "D", "project": w["project"].slug}
    valid["technologies"] = [w["tech"].slug]
    return {**valid, **fields}


# service: (a valid call with some fields overridden, its text inputs, list-valued ones).
SERVICES = {
    "register": (
        lambda w, **f: accounts.register(
            **{
                "username": "new",
                "email": "new@example.com",
                "password": "plum-orbit-91x",
                "display_name": "New",
                **f,
            }
        ),
        ["username", "email", "password", "display_name"],
    ),
    "update_profile": (
        lambda w, **f: accounts.update_profile(viewer=w["member"].user, **f),
        ["display_name", "bio", "discord_handle"],
    ),
    "submit_challenge": (
        lambda w, **f: challenges.submit_challenge(viewer=w["member"].user, **_challenge(w, **f)),
        ["title", "description", "project", "technologies"],
    ),
    "update_challenge": (
        lambda w, **f: challenges.update_challenge(
            viewer=w["member"].user, challenge_id=w["challenge"].pk, **_challenge(w, **f)
        ),
        ["title", "description", "project", "technologies"],
    ),
    "submit_solution": (
        lambda w, **f: solutions.submit_solution(
            viewer=w["member"].user, challenge_id=w["challenge"].pk, **{"body": "B", **f}
        ),
        ["body"],
    ),
    "update_solution": (
        lambda w, **f: solutions.update_solution(
            viewer=w["member"].user, solution_id=w["solution"].pk, **{"body": "B", **f}
        ),
        ["body"],
    ),
    "add_comment": (
        lambda w, **f: comments.add_comment(
            viewer=w["member"].user,
            target_model=Challenge,
            target_id=w["challenge"].pk,
            **{"body": "B", **f},
        ),
        ["body"],
    ),
    "submit_learning": (
        lambda w, **f: learnings.submit_learning(
            viewer=w["member"].user,
            **{
                "title": "T",
                "kind": "CONCEPT",
                "summary": "S",
                "body": "B",
                "technologies": [w["tech"].slug],
                **f,
            },
        ),
        ["title", "summary", "body", "technologies"],
    ),
    "update_learning": (
        lambda w, **f: learnings.update_learning(
            viewer=w["member"].user, learning_id=w["learning"].pk, **f
        ),
        ["title", "summary", "body", "technologies"],
    ),
    "moderate": (
        lambda w, **f: moderation.moderate_content(
            viewer=w["moderator"].user,
            model=Learning,
            object_id=w["learning"].pk,
            action="HIDE",
            **{"reason": "R", **f},
        ),
        ["reason"],
    ),
    "flag_content": (
        lambda w, **f: moderation.flag_content(
            viewer=w["moderator"].user,
            model=Solution,
            object_id=w["solution"].pk,
            reason="OTHER",
            **{"note": "N", **f},
        ),
        ["note"],
    ),
    "resolve_flag": (
        lambda w, **f: moderation.resolve_flag(
            viewer=w["moderator"].user, flag_id=w["flag"].pk, **f
        ),
        ["note"],
    ),
}
LIST_INPUTS = {"technologies"}
CASES = [
    pytest.param(service, field, kind, id=f"{service}.{field}-{kind}")
    for service, (_, fields) in SERVICES.items()
    for field in fields
    for kind in UNSTORABLE
]


@pytest.mark.parametrize(("service", "field", "kind"), CASES)
def test_every_service_refuses_unstorable_text_in_every_text_input(service, field, kind):
    world = _world()
    call, _ = SERVICES[service]
    value = UNSTORABLE[kind]
    before = row_counts()

    errors = errors_of(call, world, **{field: [value] if field in LIST_INPUTS else value})

    assert (field, "INVALID") in errors
    assert row_counts() == before
