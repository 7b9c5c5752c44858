from hub.models.choices import ContentStatus, LearningKind, TechnologyCategory, Track
from hub.models.community import (
    Comment,
    Flag,
    FlagReason,
    ModerationAction,
    ModerationActionKind,
    Revision,
    Vote,
)
from hub.models.content import Challenge, Learning, Project, Solution, Technology
from hub.models.people import Contributor
from hub.models.search import SearchDocument
from hub.models.seeding import SeedRecord

__all__ = [
    "Challenge",
    "Comment",
    "ContentStatus",
    "Contributor",
    "Flag",
    "FlagReason",
    "Learning",
    "LearningKind",
    "ModerationAction",
    "ModerationActionKind",
    "Project",
    "Revision",
    "SearchDocument",
    "SeedRecord",
    "Solution",
    "Technology",
    "TechnologyCategory",
    "Track",
    "Vote",
]
