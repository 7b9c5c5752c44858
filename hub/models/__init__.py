from hub.models.choices import ContentStatus, LearningKind, TechnologyCategory, Track
from hub.models.content import Challenge, Learning, Project, Solution, Technology
from hub.models.people import Contributor
from hub.models.search import SearchDocument
from hub.models.seeding import SeedRecord

__all__ = [
    "Challenge",
    "ContentStatus",
    "Contributor",
    "Learning",
    "LearningKind",
    "Project",
    "SearchDocument",
    "SeedRecord",
    "Solution",
    "Technology",
    "TechnologyCategory",
    "Track",
]
