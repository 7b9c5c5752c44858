"""The lean execution context answers exactly as graphql-core's own, errors included."""

import graphene
import pytest
from graphql import ExecutionContext, graphql_sync

from nexus_graphql.execution import LeanExecutionContext


class Author:
    def __init__(self, name, fails=False):
        self.name, self.fails = name, fails


class Post:
    def __init__(self, pk, title, author, tags=(), rating=None):
        self.pk, self.title, self.author, self.tags, self.rating = pk, title, author, tags, rating


class AuthorType(graphene.ObjectType):
    class Meta:
        name = "Author"

    name = graphene.String(required=True)
    shout = graphene.String(required=True)

    @staticmethod
    def resolve_shout(root, info):
        if root.fails:
            raise ValueError(f"{root.name} cannot shout")
        return root.name.upper()


class TagType(graphene.ObjectType):
    class Meta:
        name = "Tag"

    label = graphene.String(required=True)


class PostType(graphene.ObjectType):
    class Meta:
        name = "Post"

    title = graphene.String(required=True)
    rating = graphene.Int()
    author = graphene.Field(AuthorType, required=True)
    editor = graphene.Field(AuthorType)
    tags = graphene.List(graphene.NonNull(TagType))


class Query(graphene.ObjectType):
    posts = graphene.List(PostType)

    @staticmethod
    def resolve_posts(root, info):
        return [
            Post(1, "Fine", Author("ada"), [TagType(label="django")], rating=5),
            Post(2, "Shout fails", Author("bob", fails=True)),
            Post(3, None, Author("cy")),  # a null for a non-null title
            Post(4, "Odd rating", Author("di"), rating="not a number"),
            Post(5, "Null tag", Author("ed"), [None]),
        ]


SCHEMA = graphene.Schema(query=Query).graphql_schema
QUERIES = [
    "{ posts { title rating author { name } tags { label } } }",
    "{ posts { title author { name shout } } }",
    "{ posts { title editor { name } } }",
    "{ posts { t: title ...F } } fragment F on Post { author { n: name } }",
]


@pytest.mark.parametrize("query", QUERIES)
def test_the_lean_context_answers_like_graphql_core(query):
    expected = graphql_sync(SCHEMA, query, execution_context_class=ExecutionContext)
    lean = graphql_sync(SCHEMA, query, execution_context_class=LeanExecutionContext)

    assert lean.data == expected.data
    assert [(e.message, e.path) for e in lean.errors or []] == [
        (e.message, e.path) for e in expected.errors or []
    ]


def test_the_queries_above_do_exercise_errors():
    results = [graphql_sync(SCHEMA, q, execution_context_class=ExecutionContext) for q in QUERIES]

    assert sum(len(r.errors or []) for r in results) >= 4
