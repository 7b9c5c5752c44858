"""submitResource and updateResource raced: one resource per page, whatever the timing."""

import pytest

from hub.models import Resource, Revision
from tests.concurrency.conftest import THREADS, gid, token_of
from tests.factories import ContributorFactory, ResourceFactory

SUBMIT = """
mutation($input: SubmitResourceInput!) {
  submitResource(input: $input) { resource { slug } errors { field code } }
}"""
UPDATE = """
mutation($input: UpdateResourceInput!) {
  updateResource(input: $input) { resource { url } errors { field code } }
}"""
SPELLINGS = [
    "https://docs.celeryq.dev/en/stable/",
    "https://DOCS.celeryq.dev/en/stable",
    "https://docs.celeryq.dev:443/en/stable/?utm_source=x",
    "https://docs.celeryq.dev/en/stable/#top",
]


@pytest.mark.mutations("submitResource")
def test_one_page_submitted_at_once_in_many_spellings_is_kept_once(race):
    calls = [
        (
            SUBMIT,
            {
                "input": {
                    "title": f"Celery docs {i}",
                    "url": SPELLINGS[i % len(SPELLINGS)],
                    "kind": "DOCS",
                    "summary": "Tasks and workers.",
                }
            },
            token_of(ContributorFactory()),
        )
        for i in range(THREADS)
    ]
    outcomes = race.run("submitResource one page", calls)

    assert sorted(outcomes) == ["DUPLICATE"] * (THREADS - 1) + ["OK"]
    assert Resource.objects.count() == 1


@pytest.mark.mutations("updateResource")
def test_resources_moved_onto_one_page_at_once_keep_it_once(race):
    moderator = ContributorFactory(user__is_staff=True)
    resources = [ResourceFactory(url=f"https://example.com/{i}") for i in range(THREADS)]
    calls = [
        (
            UPDATE,
            {"input": {"id": gid(r), "url": "https://rabbitmq.com/docs/"}},
            token_of(moderator),
        )
        for r in resources
    ]
    outcomes = race.run("updateResource onto one page", calls)

    assert sorted(outcomes) == ["DUPLICATE"] * (THREADS - 1) + ["OK"]
    assert Resource.objects.filter(normalized_url="https://rabbitmq.com/docs").count() == 1
    assert Revision.objects.count() == 0  # a URL is not revised text
