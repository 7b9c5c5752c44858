from django.contrib import admin
from django.urls import path

from nexus_graphql.graphiql import development_home
from nexus_graphql.views import NexusGraphQLView

graphql_view = NexusGraphQLView.as_view()

urlpatterns = [
    path("", development_home),
    path("admin/", admin.site.urls),
    path("graphql/", graphql_view, name="graphql"),
    # Without the slash too: a POST cannot follow APPEND_SLASH's redirect.
    path("graphql", graphql_view),
]
