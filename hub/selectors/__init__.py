"""Reads. Every function takes the viewer and returns only what it may see."""

from hub.selectors.community import (
    comment_parent,
    comment_replies,
    comment_thread,
    flag_list,
    get_flag,
    viewer_profile,
    viewer_vote,
    visible_revision,
)
from hub.selectors.content import (
    HubStats,
    challenge_list,
    contributor_by_username,
    get_by_slug,
    get_visible,
    hub_stats,
    learning_list,
    project_list,
    search,
    solution_count,
    technology_list,
    visible_in_order,
)
from hub.selectors.prefetch import related, related_object, visible_queryset

__all__ = [
    "HubStats",
    "challenge_list",
    "comment_parent",
    "comment_replies",
    "comment_thread",
    "contributor_by_username",
    "flag_list",
    "get_by_slug",
    "get_flag",
    "get_visible",
    "hub_stats",
    "learning_list",
    "project_list",
    "related",
    "related_object",
    "search",
    "solution_count",
    "technology_list",
    "viewer_profile",
    "viewer_vote",
    "visible_in_order",
    "visible_queryset",
    "visible_revision",
]
