from django.db import models


class TechnologyCategory(models.TextChoices):
    LANGUAGE = "LANGUAGE", "Language"
    FRAMEWORK = "FRAMEWORK", "Framework"
    DATABASE = "DATABASE", "Database"
    CACHE = "CACHE", "Cache"
    MESSAGING = "MESSAGING", "Messaging"
    INFRASTRUCTURE = "INFRASTRUCTURE", "Infrastructure"
    CI_CD = "CI_CD", "CI/CD"
    API = "API", "API"
    SERVICE = "SERVICE", "Service"
    MONITORING = "MONITORING", "Monitoring"
    SECURITY = "SECURITY", "Security"
    TOOL = "TOOL", "Tool"


class LearningKind(models.TextChoices):
    CONCEPT = "CONCEPT", "Concept"
    BEST_PRACTICE = "BEST_PRACTICE", "Best practice"
    TAKEAWAY = "TAKEAWAY", "Takeaway"
    COLLABORATION = "COLLABORATION", "Collaboration"


class ContentStatus(models.TextChoices):
    PENDING = "PENDING", "Pending review"
    PUBLISHED = "PUBLISHED", "Published"
    REJECTED = "REJECTED", "Rejected"
    HIDDEN = "HIDDEN", "Hidden"


class Track(models.TextChoices):
    BACKEND = "BACKEND", "Backend"
    FRONTEND = "FRONTEND", "Frontend"


def choices_check(field: str, choices: type[models.TextChoices], name: str):
    """A database CHECK constraint keeping `field` within the enum's values."""
    return models.CheckConstraint(condition=models.Q(**{f"{field}__in": choices.values}), name=name)
