"""The compiled read path: a plan per validated operation, run over `.values()` rows.

`plan_for` walks an operation's selection once (graphql-core's own field collection:
fragments, aliases, @include/@skip) and maps each field through the graphene types to
model columns, or gives up (None) on anything it does not know; `run` executes a plan
through hub.selectors.rows and builds the response dicts directly. Any runtime
situation that would be an error (bad cursor, invalid filter, a null where the schema
forbids one, the response budget) raises `Unplanned`, and the caller takes the reference
path (graphql-core with the resolvers), which therefore writes every error itself.
"""

from collections import Counter

from schema.compiled.plan import Unplanned, plan_for, run

# Which path answered, since start: "planned", "fallback" (planned, but this run went
# to the reference path) and "reference" (no plan). Tests read it for coverage.
paths: Counter = Counter()

__all__ = ["Unplanned", "paths", "plan_for", "run"]
