import graphene

from hub import selectors
from schema.core.selection import selection_of
from schema.search.types import HubStats, SearchResult


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
    hub_stats = graphene.Field(HubStats, description="How much the hub holds (published).")

    @staticmethod
    def resolve_search(root, info, query, first):
        return selectors.search_content(
            viewer=info.context.user, text=query, limit=first, selection=selection_of(info)
        )

    @staticmethod
    def resolve_hub_stats(root, info):
        return selectors.get_hub_stats()
