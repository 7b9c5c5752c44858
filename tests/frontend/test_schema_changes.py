"""The breaking-change gate: schema.graphql against the released schema.

graphql-core's find_breaking_changes compares docs/schema/released.graphql (the last
release, `make release-schema`) with schema.graphql; every breaking change must be listed
in CHANGELOG.md under `## Unreleased` / `### Breaking changes` by its path (see the
convention at the top of CHANGELOG.md). Dangerous changes are reported as warnings.
"""

import re
import warnings

from graphql import (
    FieldDefinitionNode,
    GraphQLSchema,
    Visitor,
    build_schema,
    find_breaking_changes,
    find_dangerous_changes,
    parse,
    print_ast,
    visit,
)

from tests.frontend.conftest import ROOT

RELEASED = ROOT / "docs" / "schema" / "released.graphql"
CURRENT = ROOT / "schema.graphql"
CHANGELOG = ROOT / "CHANGELOG.md"

# graphql-core's descriptions of breaking changes (pinned exactly, see pyproject.toml) ->
# the path CHANGELOG.md lists. Anything else is listed by its description.
_PATHS = (
    (r"Standard scalar (\w+) was removed", r"\1"),
    (r"(\w+)\.(\w+) arg (\w+) (?:was removed|has changed type)", r"\1.\2(\3:)"),
    (r"A required arg (\w+) on (\w+)\.(\w+) was added", r"\2.\3(\1:)"),
    (r"A required field (\w+) on input type (\w+) was added", r"\2.\1"),
    (r"(\w+) was removed from enum type (\w+)", r"\2.\1"),
    (r"(\w+) was removed from union type (\w+)", r"\2.\1"),
    (r"(\w+) no longer implements interface (\w+)", r"\1"),
    (r"(\w+\.\w+) (?:was removed|changed type)", r"\1"),
    (r"(\w+) (?:was removed|changed from)", r"\1"),
)


def change_path(description: str) -> str:
    for pattern, path in _PATHS:
        match = re.match(pattern + r"\b", description)
        if match:
            return match.expand(path)
    return description


def listed_breaking_changes(changelog: str) -> set[str]:
    """The backticked paths starting the bullets of `## Unreleased` / `### Breaking changes`."""
    unreleased = re.search(r"^## Unreleased\s*$(.*?)(?=^## |\Z)", changelog, re.M | re.S)
    if not unreleased:
        return set()
    section = re.search(r"^### Breaking changes\s*$(.*?)(?=^##|\Z)", unreleased[1], re.M | re.S)
    if not section:
        return set()
    return set(re.findall(r"^\s*[-*]\s+`([^`]+)`", section[1], re.M))


def unlisted_breaking_changes(
    released: GraphQLSchema, current: GraphQLSchema, changelog: str
) -> list[str]:
    """Each breaking change CHANGELOG.md does not list: `path: graphql-core's description`."""
    listed = listed_breaking_changes(changelog)
    problems = []
    for change in find_breaking_changes(released, current):
        path = change_path(change.description)
        if path not in listed:
            problems.append(f"{path}: {change.description}")
    return problems


def without_field(sdl: str, type_name: str, field_name: str) -> str:
    """`sdl` with one field of one type removed (as a careless edit would)."""

    class RemoveField(Visitor):
        def enter_object_type_definition(self, node, *_):
            self.in_type = node.name.value == type_name

        def enter_field_definition(self, node: FieldDefinitionNode, *_):
            if getattr(self, "in_type", False) and node.name.value == field_name:
                return self.REMOVE
            return None

    return print_ast(visit(parse(sdl), RemoveField()))


def test_schema_graphql_has_no_unlisted_breaking_change():
    released = build_schema(RELEASED.read_text(encoding="utf-8"))
    current = build_schema(CURRENT.read_text(encoding="utf-8"))

    for change in find_dangerous_changes(released, current):
        warnings.warn(f"dangerous schema change: {change.description}", UserWarning, stacklevel=1)
    problems = unlisted_breaking_changes(released, current, CHANGELOG.read_text(encoding="utf-8"))

    assert not problems, (
        "Breaking changes against docs/schema/released.graphql that CHANGELOG.md does not "
        "list under `## Unreleased` / `### Breaking changes` (one bullet each, starting with "
        "the path in backticks):\n" + "\n".join(problems)
    )


def test_removing_a_field_fails_the_gate_until_the_changelog_lists_it():
    sdl = CURRENT.read_text(encoding="utf-8")
    released = build_schema(sdl)
    current = build_schema(without_field(sdl, "Query", "hubStats"))
    changelog = CHANGELOG.read_text(encoding="utf-8")

    assert unlisted_breaking_changes(released, current, changelog) == [
        "Query.hubStats: Query.hubStats was removed."
    ]
    heading = "## Unreleased\n\n### Breaking changes\n"
    assert heading in changelog
    listed = changelog.replace(heading, heading + "- `Query.hubStats`: removed.\n")
    assert unlisted_breaking_changes(released, current, listed) == []


def test_each_kind_of_breaking_change_has_its_path():
    released = build_schema(
        """
        type Query { a(x: Int, y: Int): Int, b: Int, c: Color, d(i: In): Pet, e: Gone, f: Shape }
        enum Color { RED GREEN }
        input In { p: Int }
        type Cat { n: Int }
        type Dog { n: Int }
        union Pet = Cat | Dog
        type Gone { n: Int }
        interface Shape { n: Int }
        type Square implements Shape { n: Int }
        """
    )
    current = build_schema(
        """
        type Query { a(x: String, z: Int!): Int, c: Color, d(i: In): Pet, f: Shape, g: Square }
        enum Color { RED }
        input In { p: Int, q: Int! }
        type Cat { n: Int }
        union Pet = Cat
        interface Shape { n: Int }
        type Square { n: Int }
        """
    )

    paths = sorted(change_path(c.description) for c in find_breaking_changes(released, current))

    assert paths == sorted(
        [
            "Query.b",  # field removed
            "Query.e",  # field removed (its type too)
            "Gone",
            "Dog",
            "Query.a(x:)",  # argument changed type
            "Query.a(y:)",  # argument removed
            "Query.a(z:)",  # required argument added
            "In.q",  # required input field added
            "Color.GREEN",
            "Pet.Dog",
            "Square",  # no longer implements Shape
        ]
    )


def test_only_the_unreleased_breaking_changes_section_lists():
    changelog = """# Changelog
Intro mentioning `Query.a`.

## Unreleased

### Added
- `Query.b`: new.

### Breaking changes
- `Query.c`: removed; use `d`.
* `Query.e(f:)` now required.

## 1.0

### Breaking changes
- `Query.old`: removed.
"""

    assert listed_breaking_changes(changelog) == {"Query.c", "Query.e(f:)"}
    assert listed_breaking_changes("# Changelog\n") == set()
