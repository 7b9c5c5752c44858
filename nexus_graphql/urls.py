from django.contrib import admin
from django.urls import path

from nexus_graphql.views import NexusGraphQLView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("graphql/", NexusGraphQLView.as_view(), name="graphql"),
]
