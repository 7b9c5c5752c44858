import shutil
from io import StringIO

import pytest
import yaml
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from hub.content.loader import (
    DATA_DIR,
    SKIP_EDITED,
    SKIP_NOT_SEEDED,
    Skipped,
    entry_state,
    fingerprint,
    load_hub,
)
from hub.models import (
    Challenge,
    ContentStatus,
    Learning,
    LearningKind,
    Project,
    SearchDocument,
    SeedRecord,
    Solution,
    Technology,
    TechnologyCategory,
)

pytestmark = pytest.mark.django_db

SEEDED_MODELS = (Technology, Project, Learning, Challenge, Solution)


def read(name, data_dir=DATA_DIR):
    return yaml.safe_load((data_dir / name).read_text(encoding="utf-8"))


def rewrite(data_dir, name, change):
    """Apply `change` to the parsed entries of a data file and save it back."""
    entries = read(name, data_dir)
    change(entries)
    (data_dir / name).write_text(
        yaml.safe_dump(entries, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )


def entry(entries, slug):
    return next(e for e in entries if e["slug"] == slug)


def expected_counts():
    challenges = read("challenges.yaml")
    return {
        "technology": len(read("technologies.yaml")),
        "project": len(read("projects.yaml")),
        "learning": len(read("learnings.yaml")),
        "challenge": len(challenges),
        "solution": sum(len(c["solutions"]) for c in challenges),
    }


def snapshot():
    """updated_at of every seeded object and loaded_at of every seed record."""
    state = {
        model.__name__: dict(model.objects.values_list("pk", "updated_at"))
        for model in SEEDED_MODELS
    }
    state["records"] = dict(SeedRecord.objects.values_list("pk", "loaded_at"))
    return state


@pytest.fixture
def data_dir(tmp_path):
    """A private copy of the data files that a test may edit."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def test_loads_every_entry_with_its_links():
    report = load_hub()

    counts = expected_counts()
    assert {kind: len(report.keys("created", kind)) for kind in counts} == counts
    assert report.updated == report.unchanged == report.skipped == []
    assert Technology.objects.count() == counts["technology"]
    assert Learning.objects.count() == counts["learning"]
    assert Solution.objects.count() == counts["solution"]
    assert SeedRecord.objects.count() == sum(counts.values())
    # Created with save(): HTML twins rendered and the search index kept by signals.
    assert SearchDocument.objects.count() == sum(counts.values())

    assert Challenge.objects.count() == 5
    for challenge in Challenge.objects.all():
        solutions = list(challenge.solutions.all())
        accepted = [s for s in solutions if s.is_accepted]
        assert len(accepted) == 1, challenge.slug
        assert accepted[0].accepted_at is not None
        assert all("<pre>" in s.body_html for s in solutions), challenge.slug
    messaging = Challenge.objects.get(slug="n-plus-one-queries-in-threaded-conversations")
    assert messaging.project.slug == "messaging-app"

    assert set(Project.objects.values_list("slug", flat=True)) == {
        "airbnb-clone-backend",
        "messaging-app",
        "crm-system",
        "infrastructure-design",
    }
    for project in Project.objects.all():
        assert project.highlights and all(isinstance(h, str) for h in project.highlights)
        assert project.technologies.exists(), project.slug
        assert project.description_html.startswith("<p>")
    assert (
        Project.objects.get(slug="airbnb-clone-backend")
        .technologies.filter(slug="chapa-api")
        .exists()
    )

    assert set(Learning.objects.values_list("kind", flat=True)) == set(LearningKind.values)
    assert set(Technology.objects.values_list("category", flat=True)) == set(
        TechnologyCategory.values
    )
    assert not Technology.objects.filter(learned_html="").exists()

    # Every many-to-many link is exactly the one the files declare.
    for model, name in ((Learning, "learnings.yaml"), (Project, "projects.yaml")):
        for item in read(name):
            linked = model.objects.get(slug=item["slug"]).technologies
            assert set(linked.values_list("slug", flat=True)) == set(item["technologies"])
    for item in read("challenges.yaml"):
        challenge = Challenge.objects.get(slug=item["slug"])
        assert set(challenge.technologies.values_list("slug", flat=True)) == set(
            item["technologies"]
        )
        assert (challenge.project.slug if challenge.project else None) == item["project"]


def test_seeded_content_is_published_by_the_curator():
    load_hub()

    user = get_user_model().objects.get(username=settings.HUB_CURATOR_USERNAME)
    assert not user.has_usable_password()
    assert user.contributor.display_name == "ProDev Hub"
    for model in (Learning, Challenge, Solution):
        assert set(model.objects.values_list("author", flat=True)) == {user.contributor.pk}
        assert set(model.objects.values_list("status", flat=True)) == {ContentStatus.PUBLISHED}
        assert not model.objects.filter(published_at=None).exists()


def test_second_run_changes_nothing():
    load_hub()
    before = snapshot()

    report = load_hub()

    assert report.created == report.updated == report.skipped == []
    assert len(report.unchanged) == sum(expected_counts().values())
    assert snapshot() == before
    assert "0 created, 0 updated" in report.summary()


def test_object_edited_after_loading_is_skipped_and_keeps_the_edit(data_dir):
    load_hub(data_dir)
    learning = Learning.objects.get(slug="caching-strategies")
    learning.body = "My own notes on caching."
    learning.save()
    project = Project.objects.get(slug="crm-system")
    project.technologies.remove(Technology.objects.get(slug="graphql"))
    solution = Solution.objects.get(challenge__slug="docker-volume-persistence", is_accepted=True)
    solution.body = "Use a named volume."
    solution.save()
    # The files change too: the edits must still win.
    rewrite(
        data_dir,
        "learnings.yaml",
        lambda entries: entry(entries, "caching-strategies").update(body="From the file."),
    )

    report = load_hub(data_dir)

    assert set(report.skipped) == {
        Skipped("learning", "caching-strategies", SKIP_EDITED),
        Skipped("project", "crm-system", SKIP_EDITED),
        Skipped("solution", "docker-volume-persistence#1", SKIP_EDITED),
    }
    assert Learning.objects.get(slug="caching-strategies").body == "My own notes on caching."
    assert not Project.objects.get(slug="crm-system").technologies.filter(slug="graphql").exists()
    solution.refresh_from_db()
    assert solution.body == "Use a named volume."
    assert solution.is_accepted
    assert len(report.unchanged) == sum(expected_counts().values()) - 3


def test_changed_data_file_updates_unedited_objects(data_dir):
    load_hub(data_dir)
    docker = Technology.objects.get(slug="docker")
    docker_updated_at = docker.updated_at

    def accept_second_solution(entries):
        solutions = entry(entries, "drf-nested-serialization-errors")["solutions"]
        solutions[0]["accepted"], solutions[1]["accepted"] = False, True

    rewrite(
        data_dir,
        "technologies.yaml",
        lambda entries: entry(entries, "docker").update(
            summary="Containers for everything.", learned="**Images** and `volumes`."
        ),
    )
    rewrite(data_dir, "challenges.yaml", accept_second_solution)

    report = load_hub(data_dir)

    assert set(report.updated) == {
        ("technology", "docker"),
        ("solution", "drf-nested-serialization-errors#1"),
        ("solution", "drf-nested-serialization-errors#2"),
    }
    assert report.created == report.skipped == []
    docker.refresh_from_db()
    assert docker.summary == "Containers for everything."
    assert docker.learned_html == "<p><strong>Images</strong> and <code>volumes</code>.</p>"
    assert docker.updated_at > docker_updated_at
    record = SeedRecord.objects.get(kind="technology", key="docker")
    new_entry = entry(read("technologies.yaml", data_dir), "docker")
    assert record.checksum == fingerprint(entry_state("technology", new_entry))
    accepted = Solution.objects.get(
        challenge__slug="drf-nested-serialization-errors", is_accepted=True
    )
    assert "`depth`" in accepted.body

    # ... and the updated state is stable.
    assert load_hub(data_dir).updated == []


@pytest.mark.parametrize(
    ("filename", "slug", "change", "message"),
    [
        (
            "challenges.yaml",
            "docker-volume-persistence",
            lambda e: e["technologies"].append("cobol"),
            "unknown technology slug 'cobol'",
        ),
        (
            "learnings.yaml",
            "caching-strategies",
            lambda e: e["technologies"].append("memcached"),
            "unknown technology slug 'memcached'",
        ),
        (
            "challenges.yaml",
            "n-plus-one-queries-in-threaded-conversations",
            lambda e: e.update(project="chat-app"),
            "unknown project slug 'chat-app'",
        ),
    ],
)
def test_unknown_slug_raises_before_anything_is_written(data_dir, filename, slug, change, message):
    rewrite(data_dir, filename, lambda entries: change(entry(entries, slug)))

    with pytest.raises(ValueError, match=message) as raised:
        load_hub(data_dir)

    assert f"{filename}, entry #" in str(raised.value)
    assert f"({slug!r})" in str(raised.value)
    for model in (*SEEDED_MODELS, SeedRecord):
        assert not model.objects.exists(), model.__name__
    assert not get_user_model().objects.filter(username=settings.HUB_CURATOR_USERNAME).exists()


def test_existing_object_not_created_by_the_loader_is_skipped():
    Technology.objects.create(name="Docker", slug="docker", category="TOOL", summary="Mine.")

    report = load_hub()

    assert report.skipped == [Skipped("technology", "docker", SKIP_NOT_SEEDED)]
    docker = Technology.objects.get(slug="docker")
    assert (docker.summary, docker.category) == ("Mine.", "TOOL")
    assert not SeedRecord.objects.filter(kind="technology", key="docker").exists()
    # Content that refers to it still links to it.
    assert docker.projects.filter(slug="infrastructure-design").exists()


def test_command_prints_the_summary_and_skipped_items():
    out = StringIO()
    call_command("load_hub", stdout=out)
    total = sum(expected_counts().values())
    assert out.getvalue().startswith(f"Hub content: {total} created, 0 updated")

    Learning.objects.filter(slug="the-daily-three").update(summary="Edited.")
    out = StringIO()
    call_command("load_hub", stdout=out)
    output = out.getvalue()
    assert f"0 created, 0 updated, {total - 1} unchanged, 1 skipped" in output
    assert f"skipped learning the-daily-three: {SKIP_EDITED}" in output


def test_command_reports_invalid_data_as_an_error(data_dir):
    rewrite(data_dir, "technologies.yaml", lambda entries: entries[0].update(category="OS"))

    with pytest.raises(CommandError, match="category 'OS' is not one of"):
        call_command("load_hub", data_dir=data_dir, stdout=StringIO())
    assert not Technology.objects.exists()


@pytest.mark.django_db
def test_an_object_deleted_after_loading_is_not_brought_back():
    load_hub()
    Learning.objects.filter(kind=LearningKind.TAKEAWAY).first().delete()
    deleted_count = Learning.objects.count()

    report = load_hub()

    assert Learning.objects.count() == deleted_count
    assert [s.reason for s in report.skipped] == ["deleted since loaded"]
