"""`challenges` and `challenge`: problems met in the program, with their solutions."""

import pytest

from hub.models import ContentStatus
from tests.factories import (
    ChallengeFactory,
    ContributorFactory,
    ProjectFactory,
    SolutionFactory,
    TechnologyFactory,
)
from tests.schema.helpers import client_for, day, pluck

CHALLENGES = """
query Challenges($project: String, $technology: String, $author: String,
                 $hasAcceptedSolution: Boolean, $search: String, $orderBy: ChallengeOrder) {
  challenges(project: $project, technology: $technology, author: $author,
             hasAcceptedSolution: $hasAcceptedSolution, search: $search, orderBy: $orderBy) {
    totalCount
    edges { node { title solutionCount } }
  }
}
"""

CHALLENGE = """
query Challenge($slug: String!) {
  challenge(slug: $slug) {
    id
    title
    slug
    description
    descriptionHtml
    status
    createdAt
    updatedAt
    project { title slug }
    technologies { edges { node { name } } }
    author { username }
    solutionCount
    acceptedSolution { body isAccepted }
    solutions {
      totalCount
      edges { node { body score isAccepted status author { username } challenge { title } } }
    }
  }
}
"""


def titles(data) -> list[str]:
    return pluck(data["challenges"])


def test_challenges_are_listed_newest_first_by_default(gql):
    ChallengeFactory(title="Old", created_at=day(1))
    ChallengeFactory(title="New", created_at=day(3))
    ChallengeFactory(title="Middle", created_at=day(2))

    data = gql.query(CHALLENGES)

    assert titles(data) == ["New", "Middle", "Old"]
    assert data["challenges"]["totalCount"] == 3


@pytest.mark.parametrize(
    ("order_by", "expected"),
    [
        ("NEWEST", ["Celery retries", "Broken migrations", "Auth tokens"]),
        ("OLDEST", ["Auth tokens", "Broken migrations", "Celery retries"]),
        ("TITLE", ["Auth tokens", "Broken migrations", "Celery retries"]),
    ],
)
def test_challenges_order_by(gql, order_by, expected):
    ChallengeFactory(title="Auth tokens", created_at=day(1))
    ChallengeFactory(title="Broken migrations", created_at=day(2))
    ChallengeFactory(title="Celery retries", created_at=day(3))

    assert titles(gql.query(CHALLENGES, {"orderBy": order_by})) == expected


def test_challenges_ordered_by_most_solutions_count_published_solutions_only(gql):
    two = ChallengeFactory(title="Two solutions", created_at=day(1))
    three = ChallengeFactory(title="Three solutions", created_at=day(2))
    one = ChallengeFactory(title="One solution, three pending", created_at=day(3))
    SolutionFactory.create_batch(2, challenge=two)
    SolutionFactory.create_batch(3, challenge=three)
    SolutionFactory(challenge=one)
    SolutionFactory.create_batch(3, challenge=one, status=ContentStatus.PENDING)
    ChallengeFactory(title="None yet", created_at=day(4))
    ChallengeFactory(title="None either", created_at=day(5))

    data = gql.query(CHALLENGES, {"orderBy": "MOST_SOLUTIONS"})

    assert data["challenges"]["edges"] == [
        {"node": {"title": "Three solutions", "solutionCount": 3}},
        {"node": {"title": "Two solutions", "solutionCount": 2}},
        {"node": {"title": "One solution, three pending", "solutionCount": 1}},
        # Ties: newest first.
        {"node": {"title": "None either", "solutionCount": 0}},
        {"node": {"title": "None yet", "solutionCount": 0}},
    ]


def test_most_solutions_orders_without_selecting_the_count(gql):
    few = ChallengeFactory(title="Few", created_at=day(2))
    many = ChallengeFactory(title="Many", created_at=day(1))
    SolutionFactory(challenge=few)
    SolutionFactory.create_batch(2, challenge=many)

    data = gql.query(
        "{ challenges(orderBy: MOST_SOLUTIONS) { edges { node { title } } } }",
    )

    assert titles(data) == ["Many", "Few"]


def test_challenges_filtered_by_project_slug(gql):
    nexus = ProjectFactory(title="Nexus")
    ChallengeFactory(title="In Nexus", project=nexus)
    ChallengeFactory(title="Elsewhere", project=ProjectFactory(title="Booking"))
    ChallengeFactory(title="No project", project=None)

    assert titles(gql.query(CHALLENGES, {"project": "nexus"})) == ["In Nexus"]


def test_challenges_filtered_by_technology_slug(gql):
    redis = TechnologyFactory(name="Redis")
    ChallengeFactory(title="Cache stampede").technologies.add(redis)
    ChallengeFactory(title="Flaky CI")

    assert titles(gql.query(CHALLENGES, {"technology": "redis"})) == ["Cache stampede"]


def test_challenges_filtered_by_author_username(gql):
    grace = ContributorFactory(user__username="grace")
    ChallengeFactory(title="Grace's", author=grace)
    ChallengeFactory(title="Someone else's")

    assert titles(gql.query(CHALLENGES, {"author": "grace"})) == ["Grace's"]


@pytest.mark.parametrize(
    ("has_accepted_solution", "expected"),
    [
        (True, ["Solved"]),
        (False, ["Open", "Answered, not accepted"]),
    ],
)
def test_challenges_filtered_by_has_accepted_solution(gql, has_accepted_solution, expected):
    solved = ChallengeFactory(title="Solved", created_at=day(1))
    SolutionFactory(challenge=solved, is_accepted=True)
    answered = ChallengeFactory(title="Answered, not accepted", created_at=day(2))
    SolutionFactory(challenge=answered)
    ChallengeFactory(title="Open", created_at=day(3))

    data = gql.query(CHALLENGES, {"hasAcceptedSolution": has_accepted_solution})

    assert titles(data) == expected


def test_challenges_filtered_by_search(gql):
    ChallengeFactory(title="Webhook retries", description="Stripe sends duplicates.")
    ChallengeFactory(title="Slow tests", description="Factories hash passwords.")

    assert titles(gql.query(CHALLENGES, {"search": "duplicates"})) == ["Webhook retries"]


def test_challenge_filters_combine(gql):
    nexus = ProjectFactory(title="Nexus")
    grace = ContributorFactory(user__username="grace")
    match = ChallengeFactory(title="Match", project=nexus, author=grace)
    SolutionFactory(challenge=match, is_accepted=True)
    ChallengeFactory(title="Wrong author", project=nexus)
    unsolved = ChallengeFactory(title="Not solved", project=nexus, author=grace)
    SolutionFactory(challenge=unsolved)

    data = gql.query(
        CHALLENGES, {"project": "nexus", "author": "grace", "hasAcceptedSolution": True}
    )

    assert titles(data) == ["Match"]


def test_challenge_by_slug_with_its_relations(gql):
    author = ContributorFactory(user__username="linus")
    project = ProjectFactory(title="Nexus")
    challenge = ChallengeFactory(
        title="Deadlock on vote",
        description="Two `UPDATE`s in **opposite** order.",
        author=author,
        project=project,
    )
    challenge.technologies.add(TechnologyFactory(name="PostgreSQL"))
    SolutionFactory(challenge=challenge, body="Lock in id order.", is_accepted=True, score=2)

    found = gql.query(CHALLENGE, {"slug": "deadlock-on-vote"})["challenge"]

    assert found["title"] == "Deadlock on vote"
    assert found["description"] == "Two `UPDATE`s in **opposite** order."
    assert found["descriptionHtml"] == (
        "<p>Two <code>UPDATE</code>s in <strong>opposite</strong> order.</p>"
    )
    assert found["status"] == "PUBLISHED"
    assert found["project"] == {"title": "Nexus", "slug": "nexus"}
    assert pluck(found["technologies"], "name") == ["PostgreSQL"]
    assert found["author"] == {"username": "linus"}
    assert found["solutionCount"] == 1
    assert found["acceptedSolution"] == {"body": "Lock in id order.", "isAccepted": True}
    assert pluck(found["solutions"], "challenge") == [{"title": "Deadlock on vote"}]


def test_an_unknown_challenge_slug_is_null(gql):
    assert gql.query(CHALLENGE, {"slug": "no-such-problem"}) == {"challenge": None}


def test_a_challenge_without_project_or_author(gql):
    ChallengeFactory(title="Loose", project=None, author=None)

    found = gql.query(CHALLENGE, {"slug": "loose"})["challenge"]

    assert found["project"] is None
    assert found["author"] is None
    assert found["acceptedSolution"] is None
    assert found["solutionCount"] == 0
    assert found["solutions"] == {"totalCount": 0, "edges": []}


def test_solutions_come_accepted_first_then_by_score(gql):
    challenge = ChallengeFactory(title="Ranked")
    SolutionFactory(challenge=challenge, body="score 10", score=10, created_at=day(1))
    SolutionFactory(challenge=challenge, body="accepted, score 3", score=3, is_accepted=True)
    SolutionFactory(challenge=challenge, body="score 7, older", score=7, created_at=day(2))
    SolutionFactory(challenge=challenge, body="score 7, newer", score=7, created_at=day(3))
    SolutionFactory(challenge=challenge, body="score -2", score=-2, created_at=day(4))

    found = gql.query(CHALLENGE, {"slug": "ranked"})["challenge"]

    assert pluck(found["solutions"], "body") == [
        "accepted, score 3",
        "score 10",
        "score 7, older",
        "score 7, newer",
        "score -2",
    ]
    assert pluck(found["solutions"], "isAccepted") == [True, False, False, False, False]
    assert found["acceptedSolution"]["body"] == "accepted, score 3"
    assert found["solutionCount"] == 5


def test_solutions_and_their_authors(gql):
    challenge = ChallengeFactory(title="Who answered")
    SolutionFactory(challenge=challenge, author=ContributorFactory(user__username="ann"), score=2)
    SolutionFactory(challenge=challenge, author=ContributorFactory(user__username="bob"), score=1)

    found = gql.query(CHALLENGE, {"slug": "who-answered"})["challenge"]

    assert pluck(found["solutions"], "author") == [{"username": "ann"}, {"username": "bob"}]


def test_anonymous_viewers_see_only_published_solutions(gql):
    challenge = ChallengeFactory(title="Moderated answers")
    SolutionFactory(challenge=challenge, body="published")
    SolutionFactory(challenge=challenge, body="pending", status=ContentStatus.PENDING)
    SolutionFactory(challenge=challenge, body="hidden", status=ContentStatus.HIDDEN, score=9)

    found = gql.query(CHALLENGE, {"slug": "moderated-answers"})["challenge"]

    assert pluck(found["solutions"], "body") == ["published"]
    assert found["solutions"]["totalCount"] == 1
    assert found["solutionCount"] == 1


def test_a_hidden_accepted_solution_is_not_shown_to_anonymous_viewers(gql):
    challenge = ChallengeFactory(title="Accepted then hidden")
    SolutionFactory(challenge=challenge, is_accepted=True, status=ContentStatus.HIDDEN)

    found = gql.query(CHALLENGE, {"slug": "accepted-then-hidden"})["challenge"]

    assert found["acceptedSolution"] is None
    assert found["solutions"]["edges"] == []


def test_a_solution_leads_back_to_its_challenge(gql):
    challenge = ChallengeFactory(title="Round trip", project=ProjectFactory(title="Nexus"))
    SolutionFactory(challenge=challenge)

    data = gql.query(
        """
        {
          challenge(slug: "round-trip") {
            solutions { edges { node { challenge { title project { title } solutionCount } } } }
          }
        }
        """
    )

    assert pluck(data["challenge"]["solutions"], "challenge") == [
        {"title": "Round trip", "project": {"title": "Nexus"}, "solutionCount": 1}
    ]


def test_has_accepted_solution_agrees_with_what_the_viewer_sees(gql):
    # The accepted solution was hidden by a moderator: for the public it is gone.
    challenge = ChallengeFactory(title="Accepted answer hidden")
    SolutionFactory(challenge=challenge, is_accepted=True, status=ContentStatus.HIDDEN)

    solved = gql.query(CHALLENGES, {"hasAcceptedSolution": True})
    unsolved = gql.query(CHALLENGES, {"hasAcceptedSolution": False})

    assert titles(solved) == []
    assert titles(unsolved) == ["Accepted answer hidden"]


def test_moderators_filter_on_hidden_accepted_solutions_too(moderator):
    challenge = ChallengeFactory(title="Accepted answer hidden")
    SolutionFactory(challenge=challenge, is_accepted=True, status=ContentStatus.HIDDEN)

    data = client_for(moderator).query(CHALLENGES, {"hasAcceptedSolution": True})

    assert titles(data) == ["Accepted answer hidden"]
