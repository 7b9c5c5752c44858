"""The example operations (docs/operations) are valid against the committed schema.graphql."""

import json

import pytest
from graphql import OperationDefinitionNode, build_schema, parse, validate
from graphql.execution.values import get_variable_values

from tests.frontend.conftest import OPERATIONS_DIR, ROOT

OPERATION_FILES = sorted(OPERATIONS_DIR.glob("*.graphql"))
# What the issue asks the examples to show, by operation name.
REQUIRED = {
    "BrowseChallenges",
    "PageTechnologies",
    "Search",
    "Register",
    "SignIn",
    "SubmitChallenge",
    "SubmitSolution",
    "VoteSolution",
    "AcceptSolution",
    "AddComment",
}


@pytest.fixture(scope="module")
def committed_schema():
    return build_schema((ROOT / "schema.graphql").read_text(encoding="utf-8"))


def operation_of(path) -> OperationDefinitionNode:
    definitions = parse(path.read_text(encoding="utf-8")).definitions
    operations = [d for d in definitions if isinstance(d, OperationDefinitionNode)]
    assert len(operations) == 1 and operations[0].name, f"{path.name}: one named operation"
    return operations[0]


@pytest.mark.parametrize("path", OPERATION_FILES, ids=lambda path: path.name)
def test_operation_is_valid_against_schema_graphql(committed_schema, path):
    document = parse(path.read_text(encoding="utf-8"))

    errors = validate(committed_schema, document)

    assert not errors, f"{path.name}: {[error.message for error in errors]}"


@pytest.mark.parametrize(
    "path",
    sorted(OPERATIONS_DIR.glob("*.variables.json")),
    ids=lambda path: path.name,
)
def test_example_variables_fit_their_operation(committed_schema, path):
    operation = operation_of(path.with_name(path.name.replace(".variables.json", ".graphql")))

    coerced = get_variable_values(
        committed_schema, operation.variable_definitions, json.loads(path.read_text())
    )

    assert not isinstance(coerced, list), [error.message for error in coerced]


def test_the_examples_cover_browsing_paging_search_and_every_contributor_step():
    names = [operation_of(path).name.value for path in OPERATION_FILES]

    assert len(names) == len(set(names)), "operation names must be unique (they title tabs)"
    assert not REQUIRED - set(names), f"missing: {sorted(REQUIRED - set(names))}"


def test_an_operation_that_does_not_fit_the_schema_is_caught(committed_schema):
    renamed = (
        (OPERATIONS_DIR / "01-browse-challenges.graphql").read_text().replace("totalCount", "total")
    )

    errors = validate(committed_schema, parse(renamed))

    assert [e.message for e in errors] == [
        "Cannot query field 'total' on type 'ChallengeConnection'."
    ]
