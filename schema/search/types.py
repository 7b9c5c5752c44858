import importlib
import importlib.util
import pkgutil

import graphene
from graphene_django.registry import get_global_registry

import schema
from hub import kinds


def searchable_types() -> tuple:
    """The GraphQL type of each searchable kind (hub.kinds), in the registry's order: every
    domain's `types` module is imported, so graphene-django knows each model's type."""
    for domain in pkgutil.iter_modules(schema.__path__):
        if domain.ispkg and importlib.util.find_spec(f"schema.{domain.name}.types"):
            importlib.import_module(f"schema.{domain.name}.types")
    registry = get_global_registry()
    return tuple(registry.get_type_for_model(model) for model in kinds.searchable())


class SearchResult(graphene.Union):
    class Meta:
        description = "One search hit: any searchable kind of content."
        types = searchable_types()


class HubStats(graphene.ObjectType):
    """How much the hub holds: counts of published content, the same for every viewer."""

    technologies = graphene.Int(required=True, description="Technologies.")
    learnings = graphene.Int(required=True, description="PUBLISHED learnings.")
    projects = graphene.Int(required=True, description="Projects.")
    challenges = graphene.Int(required=True, description="PUBLISHED challenges.")
    solutions = graphene.Int(
        required=True, description="PUBLISHED solutions of PUBLISHED challenges."
    )
    contributors = graphene.Int(required=True, description="Registered contributors.")
