"""Reads. Every function takes the viewer and returns only what it may see."""

from hub.selectors.community import (
    get_flag,
    get_own_moderation_decision,
    get_revision,
    get_viewer_profile,
    get_viewer_vote,
    list_flags,
    list_thread_comments,
)
from hub.selectors.content import (
    HubStats,
    count_published_solutions,
    get_content,
    get_content_by_slug,
    get_contributor_by_username,
    get_hub_stats,
    list_content,
    list_content_in_order,
    page_search_results,
    search_content,
)
from hub.selectors.paging import Ordering, Page, fold_text, ordering_of, page_rows
from hub.selectors.prefetch import related, related_object, visible_queryset
from hub.selectors.search import SEARCH_ORDERING, search_terms

__all__ = [
    "SEARCH_ORDERING",
    "HubStats",
    "Ordering",
    "Page",
    "count_published_solutions",
    "fold_text",
    "get_content",
    "get_content_by_slug",
    "get_contributor_by_username",
    "get_flag",
    "get_hub_stats",
    "get_own_moderation_decision",
    "get_revision",
    "get_viewer_profile",
    "get_viewer_vote",
    "list_content",
    "list_content_in_order",
    "list_flags",
    "list_thread_comments",
    "ordering_of",
    "page_rows",
    "page_search_results",
    "related",
    "related_object",
    "search_content",
    "search_terms",
    "visible_queryset",
]
