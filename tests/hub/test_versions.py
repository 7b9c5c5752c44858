"""Data versions: bumped inside the write's own transaction, by what it wrote, never back."""

import pytest
from django.db import connection, transaction

from hub import versions
from hub.models import Challenge, ContentVersion, Contributor
from hub.services import accounts
from tests.factories import ChallengeFactory, ContributorFactory, TechnologyFactory

pytestmark = pytest.mark.django_db(transaction=True)


def version(kind: str) -> int | None:
    return ContentVersion.objects.filter(kind=kind).values_list("version", flat=True).first()


def test_a_write_bumps_its_model_when_it_commits_not_before():
    ChallengeFactory()
    before = version("Challenge")

    with transaction.atomic():
        ChallengeFactory()
        assert version("Challenge") == before  # nothing yet: bumped at COMMIT
    assert version("Challenge") > before


def test_a_rolled_back_write_bumps_nothing():
    ChallengeFactory()
    before = version("Challenge")

    with pytest.raises(RuntimeError), transaction.atomic():
        ChallengeFactory()
        raise RuntimeError

    assert version("Challenge") == before
    with transaction.atomic():  # and the next transaction does not inherit its kinds
        TechnologyFactory()
    assert version("Challenge") == before


def test_display_only_columns_have_versions_of_their_own():
    contributor = ContributorFactory()
    base = version("Contributor")

    accounts.update_profile(viewer=contributor.user, bio="Hello")

    assert version("Contributor") == base
    assert version("Contributor.bio") is not None
    assert versions.kinds_written(Contributor, ["bio", "reputation"]) == {
        "Contributor.bio",
        "Contributor.reputation",
    }
    # A column that chooses, orders or hides rows changes the model itself.
    assert versions.kinds_written(Challenge, ["status"]) == {"Challenge"}
    assert versions.kinds_written(Contributor, ["bio", "user"]) == {"Contributor"}


def test_both_sides_of_a_relation_change_with_it():
    challenge, technology = ChallengeFactory(), TechnologyFactory()
    before = version("Challenge"), version("Technology")

    challenge.technologies.add(technology)

    assert version("Challenge") > before[0] and version("Technology") > before[1]


def test_versions_never_go_back_even_after_a_restore():
    TechnologyFactory()
    backup = version("Technology")
    handed_out = []
    for _ in range(3):
        versions.bump({"Technology"}, connection)
        handed_out.append(version("Technology"))
    assert handed_out == sorted(set(handed_out))

    ContentVersion.objects.filter(kind="Technology").update(version=backup)  # restored
    versions.bump({"Technology"}, connection)

    assert version("Technology") > max(handed_out)  # no number some cache holds is reused


def test_a_version_far_ahead_of_the_clock_still_counts_up():
    TechnologyFactory()
    ahead = version("Technology") + 10**15
    ContentVersion.objects.filter(kind="Technology").update(version=ahead)

    versions.bump({"Technology"}, connection)

    assert version("Technology") == ahead + 1


def test_current_reads_the_asked_kinds_or_everything():
    ChallengeFactory()
    TechnologyFactory()

    assert [kind for kind, _ in versions.current({"Technology", "Nothing"})] == ["Technology"]
    everything = dict(versions.current({versions.EVERYTHING}))
    assert {"Challenge", "Technology"} <= set(everything)
