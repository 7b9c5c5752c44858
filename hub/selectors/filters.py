"""django-filter sets for the browsing lists. Values arrive already typed.

Each set is built for a viewer: a filter on related content (an accepted
solution) only counts rows that viewer may see, so it agrees with the lists.
"""

import django_filters
from django.db.models import Exists, OuterRef

from hub.models import (
    Challenge,
    Learning,
    LearningKind,
    Project,
    Resource,
    ResourceKind,
    Solution,
    Technology,
    TechnologyCategory,
)
from hub.selectors.prefetch import visible_queryset
from hub.selectors.search import matching_ids


class _SearchMixin(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search")

    def __init__(self, *args, viewer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.viewer = viewer

    def filter_search(self, queryset, name, value):
        if not value.strip():
            return queryset
        return queryset.filter(pk__in=matching_ids(self._meta.model, value))


class TechnologyFilter(_SearchMixin):
    category = django_filters.ChoiceFilter(choices=TechnologyCategory.choices)

    class Meta:
        model = Technology
        fields = ["category"]


class LearningFilter(_SearchMixin):
    kind = django_filters.ChoiceFilter(choices=LearningKind.choices)
    technology = django_filters.CharFilter(field_name="technologies__slug")

    class Meta:
        model = Learning
        fields = ["kind"]


class ResourceFilter(_SearchMixin):
    kind = django_filters.ChoiceFilter(choices=ResourceKind.choices)
    technology = django_filters.CharFilter(field_name="technologies__slug")

    class Meta:
        model = Resource
        fields = ["kind"]


class ProjectFilter(_SearchMixin):
    technology = django_filters.CharFilter(field_name="technologies__slug")

    class Meta:
        model = Project
        fields = []


class ChallengeFilter(_SearchMixin):
    project = django_filters.CharFilter(field_name="project__slug")
    technology = django_filters.CharFilter(field_name="technologies__slug")
    author = django_filters.CharFilter(field_name="author__user__username")
    has_accepted_solution = django_filters.BooleanFilter(method="filter_has_accepted_solution")

    class Meta:
        model = Challenge
        fields = []

    def filter_has_accepted_solution(self, queryset, name, value):
        accepted = Exists(
            visible_queryset(Solution, self.viewer).filter(
                challenge=OuterRef("pk"), is_accepted=True
            )
        )
        return queryset.filter(accepted if value else ~accepted)
