"""Helpers for the mutation tests over HTTP (not a test module)."""

from tests.conftest import GraphQLClient
from tests.hub.service_helpers import row_counts
from tests.schema.helpers import error_codes

__all__ = ["anonymous", "field_errors", "refused", "row_counts"]


def anonymous() -> GraphQLClient:
    """A client without a token (`gql` and `member_gql` are one client, so not `gql`)."""
    return GraphQLClient()


def field_errors(payload: dict) -> set[tuple[str | None, str]]:
    """A mutation payload's `errors` as {(field, code)}."""
    return {(error["field"], error["code"]) for error in payload["errors"]}


def refused(client, query: str, variables: dict | None = None) -> str:
    """Run a mutation that must be refused as a whole; its top-level error code.

    The refusal is one GraphQL error and the mutation's payload is null.
    """
    response = client.query(query, variables, expect_errors=True)
    codes = error_codes(response)
    assert len(codes) == 1, response
    assert response.get("data") is None or all(v is None for v in response["data"].values())
    return codes[0]
