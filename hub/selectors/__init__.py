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
    content_list,
    contributor_by_username,
    get_by_slug,
    get_visible,
    hub_stats,
    search,
    solution_count,
    visible_in_order,
)
from hub.selectors.prefetch import related, related_object, visible_queryset

__all__ = [
    "HubStats",
    "comment_parent",
    "comment_replies",
    "comment_thread",
    "content_list",
    "contributor_by_username",
    "flag_list",
    "get_by_slug",
    "get_flag",
    "get_visible",
    "hub_stats",
    "related",
    "related_object",
    "search",
    "solution_count",
    "viewer_profile",
    "viewer_vote",
    "visible_in_order",
    "visible_queryset",
    "visible_revision",
]
