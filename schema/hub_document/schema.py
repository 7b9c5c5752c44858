import graphene

from hub.content.export import render_hub_markdown

HubDocumentFormat = graphene.Enum(
    "HubDocumentFormat",
    [("MARKDOWN", "MARKDOWN")],
    description="How the hub document is written.",
)


class HubDocumentQueries(graphene.ObjectType):
    hub_document = graphene.String(
        format=HubDocumentFormat(default_value="MARKDOWN"),
        description=(
            "The whole published hub as one README-style document: technologies with what "
            "was learned, concepts, challenges with their solutions, best practices, "
            "takeaways, collaboration, projects, curated resources (the same as "
            "`manage.py export_hub`)."
        ),
    )

    @staticmethod
    def resolve_hub_document(root, info, format="MARKDOWN"):
        # MARKDOWN is the only format the enum admits.
        return render_hub_markdown()
