"""The anonymous response cache: hits, never stale after a write, never per-viewer,
and invalidated only by writes to what an answer shows."""

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from graphql_relay import to_global_id

from hub.models import Challenge, ContentVersion
from nexus_graphql import response_cache
from tests.conftest import GraphQLClient
from tests.factories import (
    ChallengeFactory,
    ContributorFactory,
    SolutionFactory,
    TechnologyFactory,
)

TITLES = "{ challenges(first: 10) { edges { node { title solutionCount } } } }"


@pytest.fixture
def cached(settings):
    settings.GRAPHQL_RESPONSE_CACHE = True


def titles(client):
    return [e["node"]["title"] for e in client.query(TITLES)["challenges"]["edges"]]


def statements_of(client, query):
    with CaptureQueriesContext(connection) as captured:
        client.query(query)
    return len(captured)


def statements_run(client, query) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        client.query(query)
    return [q["sql"] for q in captured.captured_queries]


@pytest.mark.django_db(transaction=True)
def test_a_repeated_anonymous_query_costs_only_the_versions_read(cached):
    ChallengeFactory(title="Cached")
    client = GraphQLClient()

    assert statements_of(client, TITLES) > 1
    (versions_read,) = statements_run(client, TITLES)
    assert ContentVersion._meta.db_table in versions_read


@pytest.mark.django_db(transaction=True)
def test_layout_differences_share_one_entry(cached):
    ChallengeFactory(title="Cached")
    client = GraphQLClient()
    client.query(TITLES)

    assert statements_of(client, "{challenges(first:10){edges{node{title solutionCount}}}}") == 1


@pytest.mark.django_db(transaction=True)
def test_a_mutation_invalidates_what_anonymous_readers_see(cached):
    author = ContributorFactory()
    ChallengeFactory(title="First", author=author)
    reader = GraphQLClient()
    assert titles(reader) == ["First"]

    GraphQLClient().login(author).query(
        """mutation { submitChallenge(input: {title: "Second", description: "d"}) {
             errors { code } } }"""
    )

    assert titles(reader) == ["Second", "First"]


@pytest.mark.django_db(transaction=True)
def test_votes_and_accepts_invalidate_too(cached):
    """They write with UPDATE ... SET score = score + 1, which sends no model signal."""
    author, voter = ContributorFactory(), ContributorFactory()
    challenge = ChallengeFactory(author=author)
    solution = SolutionFactory(challenge=challenge)

    query = f'{{ challenge(slug: "{challenge.slug}") {{ acceptedSolution {{ score }} }} }}'
    reader = GraphQLClient()
    assert reader.query(query)["challenge"]["acceptedSolution"] is None

    solution_id = to_global_id("Solution", solution.pk)
    GraphQLClient().login(author).query(
        "mutation($id: ID!) { acceptSolution(input: {solutionId: $id}) { errors { code } } }",
        {"id": solution_id},
    )
    assert reader.query(query)["challenge"]["acceptedSolution"] == {"score": 0}

    GraphQLClient().login(voter).query(
        "mutation($id: ID!) { voteSolution(input: {solutionId: $id, value: UP}) {errors{code}}}",
        {"id": solution_id},
    )
    assert reader.query(query)["challenge"]["acceptedSolution"] == {"score": 1}


@pytest.mark.django_db(transaction=True)
def test_admin_and_loader_writes_invalidate_through_model_signals(cached):
    challenge = ChallengeFactory(title="Before")
    reader = GraphQLClient()
    assert titles(reader) == ["Before"]

    challenge = Challenge.objects.get(pk=challenge.pk)
    challenge.title = "After"
    challenge.save()

    assert titles(reader) == ["After"]


@pytest.mark.django_db(transaction=True)
def test_signed_in_viewers_are_never_served_from_the_cache(cached):
    author = ContributorFactory()
    ChallengeFactory(title="Mine", author=author)
    GraphQLClient().query("{ me { username } }")  # anonymous: me is null, cached

    member = GraphQLClient().login(author)

    assert member.query("{ me { username } }")["me"] == {"username": author.username}
    assert statements_of(member, TITLES) > 0
    assert statements_of(member, TITLES) > 0


@pytest.mark.django_db(transaction=True)
def test_the_cache_being_down_degrades_to_uncached_answers(cached, monkeypatch):
    ChallengeFactory(title="Still here")

    def unavailable(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(response_cache.cache, "get", unavailable)
    monkeypatch.setattr(response_cache.cache, "set", unavailable)

    assert titles(GraphQLClient()) == ["Still here"]


@pytest.mark.django_db(transaction=True)
def test_get_queries_carry_an_etag_and_answer_304(cached):
    ChallengeFactory(title="Tagged")
    http = GraphQLClient().http
    http.get("/graphql/", {"query": TITLES}, HTTP_ACCEPT="application/json")  # fills the cache
    first = http.get("/graphql/", {"query": TITLES}, HTTP_ACCEPT="application/json")
    etag = first["ETag"]

    again = http.get(
        "/graphql/", {"query": TITLES}, HTTP_ACCEPT="application/json", HTTP_IF_NONE_MATCH=etag
    )

    assert first.status_code == 200 and etag
    assert again.status_code == 304


@pytest.mark.django_db(transaction=True)
def test_a_cache_that_missed_the_write_cannot_serve_the_old_answer(cached, monkeypatch):
    """Nothing is invalidated in the cache: restoring its old contents (Redis restarted
    from an old snapshot, a write it never heard of) brings back no stale answer."""
    stored = []
    put = response_cache.put
    monkeypatch.setattr(
        response_cache, "put", lambda key, body: stored.append((key, body)) or put(key, body)
    )
    challenge = ChallengeFactory(title="Before")
    reader = GraphQLClient()
    assert titles(reader) == ["Before"]  # in the shared cache and in this process
    assert stored

    challenge.title = "After"
    challenge.save(update_fields=["title"])
    for key, body in stored:  # every old answer back, in Redis and in this process
        cache.set(key, body)
        response_cache.local_bodies.put(key, body)

    assert titles(reader) == ["After"]
    assert titles(reader) == ["After"]  # and that answer is cached in its turn


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_changes_no_version(cached):
    ChallengeFactory(title="Kept")
    reader = GraphQLClient()
    reader.query(TITLES)
    before = list(ContentVersion.objects.values_list("kind", "version"))

    with pytest.raises(RuntimeError), transaction.atomic():
        ChallengeFactory(title="Never")
        raise RuntimeError("rolled back")

    assert list(ContentVersion.objects.values_list("kind", "version")) == before
    assert statements_of(reader, TITLES) == 1


@pytest.mark.django_db(transaction=True)
def test_a_vote_does_not_evict_the_technologies_list(cached):
    TechnologyFactory(name="Django")
    solution = SolutionFactory()
    reader = GraphQLClient()
    technologies = "{ technologies(first: 5) { edges { node { name } } } }"
    reader.query(technologies)

    vote(solution)

    assert statements_of(reader, technologies) == 1
    assert statements_of(reader, SCORES) > 1


@pytest.mark.django_db(transaction=True)
def test_a_bio_edit_evicts_only_answers_showing_bios(cached):
    author = ContributorFactory(bio="Old")
    ChallengeFactory(author=author)
    reader = GraphQLClient()
    authors = "{ challenges(first: 5) { edges { node { title author { username } } } } }"
    profile = f'{{ contributor(username: "{author.username}") {{ bio }} }}'
    reader.query(authors)
    assert reader.query(profile)["contributor"] == {"bio": "Old"}

    GraphQLClient().login(author).query(
        'mutation { updateProfile(input: {bio: "New"}) { errors { code } } }'
    )

    assert statements_of(reader, authors) == 1
    assert reader.query(profile)["contributor"] == {"bio": "New"}


SCORES = "{ challenges(first: 5) { edges { node { solutions { edges { node { score } } } } } } }"


def vote(solution):
    GraphQLClient().login(ContributorFactory()).query(
        "mutation($id: ID!) { voteSolution(input: {solutionId: $id, value: UP}) {errors{code}}}",
        {"id": to_global_id("Solution", solution.pk)},
    )


@pytest.mark.django_db(transaction=True)
def test_worker_memory_serves_repeats_without_the_shared_cache(cached, monkeypatch):
    ChallengeFactory(title="Kept")
    client = GraphQLClient()
    client.query(TITLES)
    shared_reads = []
    original_get = response_cache.cache.get
    monkeypatch.setattr(
        response_cache.cache,
        "get",
        lambda key, *a, **k: shared_reads.append(key) or original_get(key, *a, **k),
    )

    assert titles(client) == ["Kept"]
    assert shared_reads == []


@pytest.mark.django_db(transaction=True)
def test_answers_say_whether_they_came_from_the_cache(cached):
    ChallengeFactory()
    client = GraphQLClient()

    assert client.post(TITLES)["X-Cache"] == "MISS"
    assert client.post(TITLES)["X-Cache"] == "HIT"
    assert "X-Cache" not in client.post('mutation { revokeToken(refreshToken: "x") { revoked } }')


@pytest.mark.django_db(transaction=True)
def test_without_invalidation_by_kind_any_write_evicts_every_answer(cached, settings):
    settings.GRAPHQL_RESPONSE_CACHE_BY_KIND = False
    TechnologyFactory()
    reader = GraphQLClient()
    technologies = "{ technologies(first: 5) { edges { node { name } } } }"
    reader.query(technologies)

    vote(SolutionFactory())

    assert statements_of(reader, technologies) > 1
