import graphene
from graphene_django import DjangoObjectType

from hub import selectors
from hub.errors import ApplicationError, ErrorCode
from schema.core.connection import CountableConnection
from schema.core.selection import selection_of


class Node(graphene.relay.Node):
    """Relay's Node; an id that cannot be decoded is a client error, not a crash."""

    class Meta:
        name = "Node"

    @classmethod
    def get_node_from_global_id(cls, info, global_id, only_type=None):
        try:
            return super().get_node_from_global_id(info, global_id, only_type)
        except ApplicationError:
            raise
        except Exception as error:  # graphene raises bare Exceptions for bad ids
            raise ApplicationError(ErrorCode.INVALID, str(error), "id") from None


# Model fields shared by the content kinds, described once.
COMMON_FIELD_DESCRIPTIONS = {
    "slug": "Unique, URL-safe name, made from the title (or name) when created; edits keep it.",
    "created_at": "When it was created (ISO-8601, UTC).",
    "updated_at": "When it was last changed (ISO-8601, UTC).",
    "published_at": "When it was first published (ISO-8601, UTC); null until then.",
}


class HubObjectType(DjangoObjectType):
    """A Relay node whose node(id) lookup honours what the viewer may see.

    `model_hints` maps GraphQL fields that are not model fields to what they read on the
    model side: a field, a computed column (hub.kinds annotations) or a `hub.kinds.View`
    of a relation. The selection handed to hub/ and the response cache's dependencies
    both read it, so a new API-only field needs no edit in hub/.
    """

    model_hints: dict = {}
    # Descriptions of the fields graphene-django converts from model fields (by their
    # snake_case name), over COMMON_FIELD_DESCRIPTIONS; declared fields say their own.
    field_descriptions: dict = {}

    class Meta:
        abstract = True

    @classmethod
    def __init_subclass_with_meta__(cls, **options):
        options.setdefault("interfaces", (Node,))
        options.setdefault("connection_class", CountableConnection)
        super().__init_subclass_with_meta__(**options)
        descriptions = {**COMMON_FIELD_DESCRIPTIONS, **cls.field_descriptions}
        for name, field in cls._meta.fields.items():
            if not getattr(field, "description", None) and name in descriptions:
                field.description = descriptions[name]

    @classmethod
    def get_node(cls, info, id):
        # What is selected below `node` (every fragment's; this type uses its part).
        return selectors.get_content(
            model=cls._meta.model, viewer=info.context.user, pk=id, selection=selection_of(info)
        )


def related_resolver(field: str):
    """Resolver for a list relation: the prefetched rows, or a visible queryset."""

    def resolve(root, info, **kwargs):
        return selectors.related(root, field, info.context.user, selection_of(info))

    resolve.related_field = field  # the compiled read path (schema.compiled) plans it
    return resolve


def related_object_resolver(field: str):
    """Resolver for a to-one relation whose target the viewer may not see (or that holds
    the row): the loaded row, or None where it is hidden."""

    def resolve(root, info):
        return selectors.related_object(root, field, info.context.user, selection_of(info))

    resolve.related_field = field  # the compiled read path (schema.compiled) plans it
    return resolve


def reads_first_of(relation: str, column: str, convert):
    """Declares what a resolver shows, for the compiled read path (schema.compiled):
    `convert` of `column` of the first row of the list `relation` the viewer may see
    (convert(None) when there is none). The resolver itself stays the reference."""

    def declare(resolve):
        resolve.first_of = (relation, column, convert)
        return resolve

    return declare
