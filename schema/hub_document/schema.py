import graphene

from hub.content.export import render_hub_markdown

HubDocumentFormat = graphene.Enum(
    "HubDocumentFormat",
    [("MARKDOWN", "MARKDOWN")],
    description=lambda member: (
        "How the hub document is written."
        if member is None
        else "CommonMark Markdown, as `manage.py export_hub` writes it."
    ),
)


class HubDocumentQueries(graphene.ObjectType):
    hub_document = graphene.String(
        format=HubDocumentFormat(default_value="MARKDOWN", description="How it is written."),
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
