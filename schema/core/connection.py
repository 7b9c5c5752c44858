import graphene


class CountableConnection(graphene.relay.Connection):
    """Relay connection with the total number of items across all pages."""

    class Meta:
        abstract = True

    total_count = graphene.Int(required=True, description="Items across all pages.")

    @staticmethod
    def resolve_total_count(root, info):
        return root.length
