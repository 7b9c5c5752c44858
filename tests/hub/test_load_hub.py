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
    SKIP_PAGE_TAKEN,
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
    Resource,
    ResourceKind,
    SearchDocument,
    SeedRecord,
    Solution,
    Technology,
    TechnologyCategory,
)
from tests.factories import ResourceFactory

pytestmark = pytest.mark.django_db

SEEDED_MODELS = (Technology, Resource, Project, Learning, Challenge, Solution)


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
        "resource": len(read("resources.yaml")),
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
    for model, name in (
        (Learning, "learnings.yaml"),
        (Project, "projects.yaml"),
        (Resource, "resources.yaml"),
    ):
        for item in read(name):
            linked = model.objects.get(slug=item["slug"]).technologies
            assert set(linked.values_list("slug", flat=True)) == set(item["technologies"])
    for item in read("challenges.yaml"):
        challenge = Challenge.objects.get(slug=item["slug"])
        assert set(challenge.technologies.values_list("slug", flat=True)) == set(
            item["technologies"]
        )
        assert (challenge.project.slug if challenge.project else None) == item["project"]


def test_every_technology_has_its_official_documentation():
    load_hub()

    documented = Technology.objects.filter(resources__kind=ResourceKind.DOCS).distinct()
    assert documented.count() == Technology.objects.count() == 24
    assert Resource.objects.count() >= 24
    for resource in Resource.objects.all():
        assert resource.url.startswith("https://"), resource.slug
        assert resource.normalized_url, resource.slug
        assert resource.summary_html.startswith("<p>"), resource.slug
    python = Resource.objects.get(slug="python-documentation")
    assert (python.url, python.normalized_url) == (
        "https://docs.python.org/3/",
        "https://docs.python.org/3",
    )


def test_seeded_content_is_published_by_the_curator():
    load_hub()

    user = get_user_model().objects.get(username=settings.HUB_CURATOR_USERNAME)
    assert not user.has_usable_password()
    assert user.contributor.display_name == "ProDev Hub"
    for model in (Learning, Challenge, Solution, Resource):
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
        (
            "resources.yaml",
            "redis-documentation",
            lambda e: e["technologies"].append("valkey"),
            "unknown technology slug 'valkey'",
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


# ------------------------------------------------------------------ resources


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda e: e.update(url="ftp://docs.python.org/3/"), "Only http and https URLs"),
        (lambda e: e.update(url="docs.python.org"), "url 'docs.python.org' is not a valid URL"),
        (lambda e: e.update(url=""), "url must not be empty"),
        (lambda e: e.update(kind="PODCAST"), "kind 'PODCAST' is not one of DOCS TUTORIAL"),
        (lambda e: e.update(summary="  "), "summary must not be empty"),
        (lambda e: e.pop("title"), "missing title"),
        (lambda e: e.update(notes="x"), "unknown key notes"),
    ],
    ids=["not http", "not a url", "no url", "unknown kind", "no summary", "no title", "extra"],
)
def test_an_invalid_resource_is_refused_naming_it(data_dir, change, message):
    rewrite(data_dir, "resources.yaml", lambda entries: change(entry(entries, "git-documentation")))

    with pytest.raises(ValueError, match=message) as raised:
        load_hub(data_dir)

    assert "resources.yaml, entry #" in str(raised.value)
    assert "('git-documentation')" in str(raised.value)
    assert not Resource.objects.exists()


def test_two_resources_of_one_page_are_an_error_naming_both(data_dir):
    def add_same_page(entries):
        python = entry(entries, "python-documentation")
        # The same page as python-documentation's https://docs.python.org/3/, written otherwise.
        entries.append(
            {
                **python,
                "slug": "python-docs-again",
                "url": "HTTPS://Docs.Python.org:443/3?utm_source=x",
            }
        )

    rewrite(data_dir, "resources.yaml", add_same_page)

    with pytest.raises(ValueError) as raised:
        load_hub(data_dir)

    last = len(read("resources.yaml", data_dir))
    assert read("resources.yaml", data_dir)[0]["slug"] == "python-documentation"
    assert (
        f"resources.yaml, entry #{last} ('python-docs-again'): "
        "url 'HTTPS://Docs.Python.org:443/3?utm_source=x' is the same page "
        "(https://docs.python.org/3) as the url of entry #1 ('python-documentation')"
    ) in str(raised.value)
    assert not Resource.objects.exists()


def test_a_page_someone_already_submitted_is_skipped_and_the_rest_loaded():
    # A contributor's pending resource holds the page (unique by normalized URL).
    mine = ResourceFactory(
        title="Docker docs", url="https://docs.docker.com", status=ContentStatus.PENDING
    )

    report = load_hub()

    assert report.skipped == [
        Skipped("resource", "docker-documentation", f"{SKIP_PAGE_TAKEN} {mine.slug!r}")
    ]
    assert not Resource.objects.filter(slug="docker-documentation").exists()
    assert Resource.objects.count() == len(read("resources.yaml"))  # 29 seeded and mine
    mine.refresh_from_db()
    assert (mine.title, mine.status) == ("Docker docs", ContentStatus.PENDING)

    mine.delete()  # once the page is free, the next run seeds it
    assert load_hub().keys("created", "resource") == ["docker-documentation"]


def test_resources_follow_the_file_unless_edited_in_the_hub(data_dir):
    load_hub(data_dir)
    edited = Resource.objects.get(slug="celery-documentation")
    edited.summary = "My own summary."
    edited.save()

    def change(entries):
        entry(entries, "celery-documentation").update(summary="From the file.")
        entry(entries, "redis-documentation").update(
            url="https://redis.io/docs/latest/develop/", technologies=["redis", "celery"]
        )

    rewrite(data_dir, "resources.yaml", change)

    report = load_hub(data_dir)

    assert report.skipped == [Skipped("resource", "celery-documentation", SKIP_EDITED)]
    assert report.updated == [("resource", "redis-documentation")]
    assert Resource.objects.get(slug="celery-documentation").summary == "My own summary."
    redis = Resource.objects.get(slug="redis-documentation")
    assert redis.normalized_url == "https://redis.io/docs/latest/develop"
    assert set(redis.technologies.values_list("slug", flat=True)) == {"redis", "celery"}
    assert load_hub(data_dir).updated == []


def test_a_seeded_resource_moved_to_another_seeded_resources_page_is_skipped(data_dir):
    load_hub(data_dir)
    rewrite(
        data_dir,
        "resources.yaml",
        lambda entries: entry(entries, "pytest-documentation").update(
            url="https://docs.python.org/3/library/unittest.html#top"
        ),
    )

    with pytest.raises(ValueError, match="same page"):  # both in the file: refused up front
        load_hub(data_dir)

    rewrite(
        data_dir,
        "resources.yaml",
        lambda entries: entries.remove(entry(entries, "python-unittest-documentation")),
    )
    report = load_hub(data_dir)  # the page's resource is still in the hub: skipped

    assert report.skipped == [
        Skipped(
            "resource", "pytest-documentation", f"{SKIP_PAGE_TAKEN} 'python-unittest-documentation'"
        )
    ]
    assert (
        Resource.objects.get(slug="pytest-documentation").url
        == "https://docs.pytest.org/en/stable/"
    )
