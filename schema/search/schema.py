import graphene

from hub import selectors
from schema.core.connection import (
    PAGE_ARGUMENT_DESCRIPTIONS,
    CountableConnection,
    connection_from_page,
    page_arguments,
)
from schema.core.selection import selection_of
from schema.search.types import HubStats, SearchResult

SEARCH_MAX_PAGE = 100


class SearchResultConnection(CountableConnection):
    class Meta:
        node = SearchResult
        description = "Search results, best match first."


class SearchQueries(graphene.ObjectType):
    search = graphene.Field(
        graphene.List(graphene.NonNull(SearchResult)),
        required=True,
        query=graphene.String(
            required=True,
            description="Words to look for, at most 200 characters.",
        ),
        first=graphene.Int(default_value=20, description="How many results, 1 to 100."),
        description="PUBLISHED technologies, learnings, projects, challenges, solutions and "
        "resources matching the query, best match first. Bad input is a top-level error whose "
        "`extensions.code` is REQUIRED (blank query), TOO_LONG (query) or INVALID (`first`).",
    )
    search_results = graphene.Field(
        SearchResultConnection,
        query=graphene.String(
            required=True,
            description="Words to look for, at most 200 characters; every word must match.",
        ),
        **{
            name: graphene_type(description=PAGE_ARGUMENT_DESCRIPTIONS[name])
            for name, graphene_type in (
                ("first", graphene.Int),
                ("after", graphene.String),
                ("last", graphene.Int),
                ("before", graphene.String),
            )
        },
        description=(
            "`search` as a connection: the same results in the same order, paged with "
            "cursors (every word of the query must match)."
        ),
    )
    hub_stats = graphene.Field(HubStats, description="How much the hub holds (published).")

    @staticmethod
    def resolve_search(root, info, query, first):
        return selectors.search_content(
            viewer=info.context.user, text=query, limit=first, selection=selection_of(info)
        )

    @staticmethod
    def resolve_search_results(root, info, query, **args):
        ordering = selectors.SEARCH_ORDERING
        # A cursor is a position among one query's results: the words are its ordering.
        order = "RANK " + " ".join(selectors.search_terms(query))
        paging = page_arguments(
            info, args, ordering=ordering, order=order, max_limit=SEARCH_MAX_PAGE
        )
        page = selectors.page_search_results(
            viewer=info.context.user, text=query, selection=selection_of(info), **paging
        )
        return connection_from_page(
            SearchResultConnection, page, info=info, ordering=ordering, order=order
        )

    @staticmethod
    def resolve_hub_stats(root, info):
        return selectors.get_hub_stats()
