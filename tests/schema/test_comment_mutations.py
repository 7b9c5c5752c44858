"""addComment over HTTP, and comment threads read back nested to any depth."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from graphql_relay import to_global_id

from hub.models import Comment, ContentStatus
from tests.factories import ChallengeFactory, ContributorFactory, SolutionFactory
from tests.schema.helpers import client_for, global_id, nodes
from tests.schema.mutation_helpers import anonymous, field_errors, refused, row_counts

ADD = """
mutation Add($input: AddCommentInput!) {
  addComment(input: $input) {
    comment { id body bodyHtml status author { username } parent { id body } }
    errors { field message code }
  }
}
"""

# `first` keeps the query under the cost limit (the nodes it could return).
THREAD = """
query Thread($slug: String!) {
  challenge(slug: $slug) {
    comments(first: 10) {
      totalCount
      edges { node {
        body author { username }
        replies(first: 10) { edges { node {
          body author { username } parent { body }
          replies(first: 10) { edges { node {
            body author { username }
            replies(first: 10) { edges { node {
              body author { username }
              replies(first: 10) { edges { node { body } } }
            } } }
          } } }
        } } }
      } }
    }
    solutions(first: 5) { edges { node {
      body
      comments(first: 5) { edges { node {
        body author { username }
        replies(first: 5) { edges { node { body author { username } } } }
      } } }
    } } }
  }
}
"""


@pytest.fixture
def challenge(db):
    return ChallengeFactory(title="Flaky deploys")


def add(client, target_id, body="A comment.", parent_id=None) -> dict:
    variables = {"input": {"targetId": target_id, "body": body, "parentId": parent_id}}
    return client.query(ADD, variables)["addComment"]


def thread_of(client, challenge) -> dict:
    return client.query(THREAD, {"slug": challenge.slug})["challenge"]


def tree(comments_connection) -> list:
    """[(body, [replies...])] of a comments or replies connection, to any depth."""
    return [
        (node["body"], tree(node["replies"]) if "replies" in node else None)
        for node in nodes(comments_connection)
    ]


# --- addComment -------------------------------------------------------------------------------


def test_comment_on_a_challenge_and_on_a_solution(member_gql, contributor, challenge):
    solution = SolutionFactory(challenge=challenge)

    on_challenge = add(member_gql, global_id("Challenge", challenge), "Which *region*?")
    on_solution = add(member_gql, global_id("Solution", solution), "Worked for me.")

    assert on_challenge["errors"] == on_solution["errors"] == []
    comment = on_challenge["comment"]
    assert comment["body"] == "Which *region*?"
    assert "<em>region</em>" in comment["bodyHtml"]
    assert comment["status"] == "PUBLISHED"
    assert comment["author"] == {"username": contributor.username}
    assert comment["parent"] is None
    assert comment["id"] == global_id("Comment", Comment.objects.get(challenge=challenge))
    assert Comment.objects.get(solution=solution).body == "Worked for me."


def test_threads_four_levels_deep_come_back_nested(member_gql, challenge):
    target = global_id("Challenge", challenge)
    first = add(member_gql, target, "1")["comment"]["id"]
    level2 = add(member_gql, target, "1.1", first)["comment"]
    assert level2["parent"]["body"] == "1"
    level3 = add(member_gql, target, "1.1.1", level2["id"])["comment"]["id"]
    add(member_gql, target, "1.1.1.1", level3)
    add(member_gql, target, "1.1.2", level2["id"])
    add(member_gql, target, "1.2", first)
    add(member_gql, target, "2")

    thread = thread_of(anonymous(), challenge)

    assert thread["comments"]["totalCount"] == 2
    assert tree(thread["comments"]) == [
        (
            "1",
            [
                ("1.1", [("1.1.1", [("1.1.1.1", [])]), ("1.1.2", [])]),
                ("1.2", []),
            ],
        ),
        ("2", []),
    ]
    level2_node = nodes(nodes(thread["comments"])[0]["replies"])[0]
    assert level2_node["parent"] == {"body": "1"}


def test_a_parent_from_another_thread_is_not_found(member_gql, challenge):
    solution = SolutionFactory(challenge=challenge)
    elsewhere = add(member_gql, global_id("Challenge", ChallengeFactory()), "Elsewhere")
    on_solution = add(member_gql, global_id("Solution", solution), "On the solution")
    before = row_counts()

    for parent_id in (
        elsewhere["comment"]["id"],
        on_solution["comment"]["id"],
        to_global_id("Comment", 999_999),
        global_id("Challenge", challenge),
        "garbled",
    ):
        result = add(member_gql, global_id("Challenge", challenge), "Reply", parent_id)
        assert field_errors(result) == {("parentId", "NOT_FOUND")}
        assert result["comment"] is None
    assert row_counts() == before


def test_hidden_comments_take_no_replies(member_gql, challenge):
    parent = add(member_gql, global_id("Challenge", challenge), "Parent")["comment"]["id"]
    Comment.objects.update(status=ContentStatus.HIDDEN)

    result = add(member_gql, global_id("Challenge", challenge), "Reply", parent)

    assert field_errors(result) == {("parentId", "NOT_FOUND")}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (None, ("body", "REQUIRED")),
        ("   ", ("body", "REQUIRED")),
        ("c" * 5_001, ("body", "TOO_LONG")),
        ("Get your casino bonus", ("body", "INVALID")),
        (" ".join(f"https://l{i}.example" for i in range(9)), ("body", "INVALID")),
    ],
)
def test_a_bad_body_is_rejected_and_nothing_written(member_gql, challenge, body, expected):
    before = row_counts()

    result = add(member_gql, global_id("Challenge", challenge), body)

    assert field_errors(result) == {expected}
    assert result["comment"] is None
    assert row_counts() == before


def test_unknown_garbled_or_invisible_targets_are_not_found(member_gql):
    hidden = ChallengeFactory(status=ContentStatus.HIDDEN)
    hidden_solution = SolutionFactory(status=ContentStatus.HIDDEN)
    learning_id = to_global_id("Learning", 1)  # not a commentable type
    before = row_counts()

    for target_id in (
        global_id("Challenge", hidden),
        global_id("Solution", hidden_solution),
        to_global_id("Challenge", 999_999),
        learning_id,
        "not an id",
    ):
        result = add(member_gql, target_id, "Hello")
        assert field_errors(result) == {("targetId", "NOT_FOUND")}
    assert row_counts() == before


def test_commenting_needs_a_signed_in_user(challenge):
    before = row_counts()

    for target_id in (global_id("Challenge", challenge), "garbled"):
        variables = {"input": {"targetId": target_id, "body": "Hi"}}
        assert refused(anonymous(), ADD, variables) == "UNAUTHENTICATED"
    assert row_counts() == before


# --- reading threads --------------------------------------------------------------------------


def test_replies_hidden_by_a_moderator_disappear_with_their_subtree(member_gql, challenge):
    target = global_id("Challenge", challenge)
    root = add(member_gql, target, "Root")["comment"]["id"]
    hidden = add(member_gql, target, "Hidden", root)["comment"]["id"]
    add(member_gql, target, "Under hidden", hidden)
    add(member_gql, target, "Visible", root)
    Comment.objects.filter(body="Hidden").update(status=ContentStatus.HIDDEN)

    assert tree(thread_of(anonymous(), challenge)["comments"]) == [("Root", [("Visible", [])])]


def build_thread(challenge, *, roots: int, depth: int, solutions: int):
    authors = ContributorFactory.create_batch(3)
    for r in range(roots):
        parent = None
        for level in range(depth):
            parent = Comment.objects.create(
                challenge=challenge, parent=parent, author=authors[level % 3], body=f"{r}.{level}"
            )
            Comment.objects.create(
                challenge=challenge, parent=parent, author=authors[0], body=f"{r}.{level}.side"
            )
    for _ in range(solutions):
        solution = SolutionFactory(challenge=challenge)
        top = Comment.objects.create(solution=solution, author=authors[1], body="On solution")
        Comment.objects.create(solution=solution, parent=top, author=authors[2], body="Reply")


@pytest.mark.parametrize("viewer", ["anonymous", "contributor"])
def test_reading_a_thread_costs_the_same_queries_whatever_its_size(
    db, django_assert_num_queries, viewer
):
    small, large = ChallengeFactory(), ChallengeFactory()
    build_thread(small, roots=1, depth=1, solutions=1)
    build_thread(large, roots=6, depth=4, solutions=4)
    client = anonymous() if viewer == "anonymous" else client_for(ContributorFactory())

    with CaptureQueriesContext(connection) as small_queries:
        small_thread = thread_of(client, small)
    with django_assert_num_queries(len(small_queries)):
        large_thread = thread_of(client, large)

    assert small_thread["comments"]["totalCount"] == 1
    assert large_thread["comments"]["totalCount"] == 6
    deepest = nodes(large_thread["comments"])[0]
    for level in (1, 2, 3):
        assert [n["body"] for n in nodes(deepest["replies"])] == [
            f"0.{level - 1}.side",
            f"0.{level}",
        ]
        deepest = nodes(deepest["replies"])[1]
    assert [n["body"] for n in nodes(deepest["replies"])] == ["0.3.side"]
    solutions = nodes(large_thread["solutions"])
    assert len(solutions) == 4
    assert all(tree(s["comments"]) == [("On solution", [("Reply", None)])] for s in solutions)
