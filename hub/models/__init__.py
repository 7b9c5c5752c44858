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
from hub.models.content import (
    Challenge,
    Learning,
    Project,
    Resource,
    ResourceKind,
    Solution,
    Technology,
    normalized_url,
)
from hub.models.notifications import SentEmail
from hub.models.people import Contributor
from hub.models.search import SearchDocument
from hub.models.seeding import SeedRecord
from hub.models.versions import ContentVersion

__all__ = [
    "Challenge",
    "Comment",
    "ContentStatus",
    "ContentVersion",
    "Contributor",
    "Flag",
    "FlagReason",
    "Learning",
    "LearningKind",
    "ModerationAction",
    "ModerationActionKind",
    "Project",
    "Resource",
    "ResourceKind",
    "Revision",
    "SearchDocument",
    "SeedRecord",
    "SentEmail",
    "Solution",
    "Technology",
    "TechnologyCategory",
    "Track",
    "Vote",
    "normalized_url",
]
