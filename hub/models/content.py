from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.utils import timezone

from hub.markdown import render_markdown
from hub.models.choices import ContentStatus, LearningKind, TechnologyCategory, choices_check
from hub.slugs import unique_slug


class HubContent(models.Model):
    """Shared behaviour: slug from the title, stored sanitized HTML twins."""

    slug_source = "title"
    # markdown field -> its stored HTML twin
    markdown_fields: dict[str, str] = {}

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if hasattr(self, "slug") and not self.slug:
            self.slug = unique_slug(type(self), getattr(self, self.slug_source), exclude_pk=self.pk)
        for source, html in self.markdown_fields.items():
            setattr(self, html, render_markdown(getattr(self, source)))
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            touched = set(update_fields)
            touched |= {html for source, html in self.markdown_fields.items() if source in touched}
            kwargs["update_fields"] = touched | {"updated_at"}
        super().save(*args, **kwargs)


class ModeratedContent(HubContent):
    """Content contributors submit; only PUBLISHED rows are public. Edits keep revisions."""

    revisions = GenericRelation("hub.Revision")
    status = models.CharField(
        max_length=16, choices=ContentStatus.choices, default=ContentStatus.PUBLISHED
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.status == ContentStatus.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = set(kwargs["update_fields"]) | {"published_at"}
        super().save(*args, **kwargs)


class Technology(HubContent):
    slug_source = "name"
    markdown_fields = {"learned": "learned_html"}

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    category = models.CharField(max_length=20, choices=TechnologyCategory.choices)
    summary = models.CharField(max_length=300, blank=True)
    learned = models.TextField(blank=True, help_text="Markdown: what the program taught.")
    learned_html = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "technologies"
        constraints = [choices_check("category", TechnologyCategory, "technology_category_valid")]
        indexes = [models.Index(fields=["category", "name"], name="technology_category_idx")]

    def __str__(self):
        return self.name


class Learning(ModeratedContent):
    markdown_fields = {"body": "body_html"}

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    kind = models.CharField(max_length=20, choices=LearningKind.choices)
    summary = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    body_html = models.TextField(blank=True, editable=False)
    technologies = models.ManyToManyField(Technology, related_name="learnings", blank=True)
    author = models.ForeignKey(
        "hub.Contributor",
        # Content outlives its author's account: it stays, attributed to nobody.
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="learnings",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            choices_check("kind", LearningKind, "learning_kind_valid"),
            choices_check("status", ContentStatus, "learning_status_valid"),
        ]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="learning_status_created_idx"),
            models.Index(fields=["kind", "status"], name="learning_kind_status_idx"),
            models.Index(fields=["title"], name="learning_title_idx"),
        ]

    def __str__(self):
        return self.title


class Project(HubContent):
    markdown_fields = {"description": "description_html"}

    title = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=220, unique=True)
    summary = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    description_html = models.TextField(blank=True, editable=False)
    highlights = models.JSONField(default=list, blank=True)
    repository_url = models.URLField(blank=True)
    technologies = models.ManyToManyField(Technology, related_name="projects", blank=True)

    class Meta:
        ordering = ["title"]
        indexes = [models.Index(fields=["-created_at"], name="project_created_idx")]

    def __str__(self):
        return self.title


class Challenge(ModeratedContent):
    markdown_fields = {"description": "description_html"}

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    description = models.TextField()
    description_html = models.TextField(blank=True, editable=False)
    project = models.ForeignKey(
        Project,
        # Deleting a project must not silently take its community's challenges with it.
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="challenges",
    )
    technologies = models.ManyToManyField(Technology, related_name="challenges", blank=True)
    author = models.ForeignKey(
        "hub.Contributor",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="challenges",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [choices_check("status", ContentStatus, "challenge_status_valid")]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="challenge_status_created_idx"),
            models.Index(fields=["title"], name="challenge_title_idx"),
        ]

    def __str__(self):
        return self.title


class Solution(ModeratedContent):
    markdown_fields = {"body": "body_html"}

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="solutions")
    body = models.TextField()
    body_html = models.TextField(blank=True, editable=False)
    author = models.ForeignKey(
        "hub.Contributor",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="solutions",
    )
    # Kept equal to the sum of its votes by the vote service (F() updates).
    score = models.IntegerField(default=0)
    is_accepted = models.BooleanField(default=False)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-is_accepted", "-score", "created_at", "id"]
        constraints = [
            choices_check("status", ContentStatus, "solution_status_valid"),
            models.UniqueConstraint(
                fields=["challenge"],
                condition=Q(is_accepted=True),
                name="one_accepted_solution_per_challenge",
            ),
        ]
        indexes = [
            models.Index(
                fields=["challenge", "-is_accepted", "-score"], name="solution_ranking_idx"
            ),
            models.Index(fields=["status", "-created_at"], name="solution_status_created_idx"),
        ]

    def __str__(self):
        return f"Solution to {self.challenge_id} by {self.author_id}"

    @property
    def title(self) -> str:
        return f"Solution: {self.challenge.title}"


# Query parameters that say how a visitor arrived, not what they see.
TRACKING_PARAMETERS = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "yclid", "mc_cid", "mc_eid", "_ga", "igshid"}
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalized_url(url: str) -> str:
    """The form two URLs of one page share: scheme and host lower-cased, the default port,
    a trailing slash, the fragment and tracking parameters (utm_* and the like) dropped,
    the other parameters sorted. ValueError for anything but an absolute http(s) URL."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise ValueError("Only http and https URLs are accepted.")
    if parts.username is not None or parts.password is not None:
        raise ValueError("URLs with a user name or password are not accepted.")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise ValueError("The URL has no host.")
    try:
        host = host.encode("idna").decode("ascii").lower()
        port = parts.port
    except (UnicodeError, ValueError):
        raise ValueError("The URL's host or port is not valid.") from None
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if ":" in host:  # an IPv6 literal keeps its brackets
        netloc = f"[{host}]" + netloc[len(host) :]
    path = parts.path.rstrip("/") or "/"
    query = sorted(
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not name.lower().startswith("utm_") and name.lower() not in TRACKING_PARAMETERS
    )
    return urlunsplit((scheme, netloc, path, urlencode(query), ""))


class ResourceKind(models.TextChoices):
    DOCS = "DOCS", "Documentation"
    TUTORIAL = "TUTORIAL", "Tutorial"
    ARTICLE = "ARTICLE", "Article"
    VIDEO = "VIDEO", "Video"
    COURSE = "COURSE", "Course"
    BOOK = "BOOK", "Book"
    TOOL = "TOOL", "Tool"


class Resource(ModeratedContent):
    """A curated link to learn from; one per page (normalized URL)."""

    markdown_fields = {"summary": "summary_html"}

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    url = models.URLField(max_length=2000)
    # The database keeps one resource per page, however its URL is written.
    normalized_url = models.CharField(max_length=2000, unique=True, editable=False)
    kind = models.CharField(max_length=20, choices=ResourceKind.choices)
    summary = models.TextField(blank=True, help_text="Markdown.")
    summary_html = models.TextField(blank=True, editable=False)
    technologies = models.ManyToManyField(Technology, related_name="resources", blank=True)
    author = models.ForeignKey(
        "hub.Contributor",
        on_delete=models.SET_NULL,  # content outlives its author's account
        null=True,
        blank=True,
        related_name="resources",
    )

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            choices_check("kind", ResourceKind, "resource_kind_valid"),
            choices_check("status", ContentStatus, "resource_status_valid"),
        ]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="resource_status_created_idx"),
            models.Index(fields=["kind", "status"], name="resource_kind_status_idx"),
            models.Index(fields=["title"], name="resource_title_idx"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.normalized_url = normalized_url(self.url)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "url" in update_fields:
            kwargs["update_fields"] = set(update_fields) | {"normalized_url"}
        super().save(*args, **kwargs)
