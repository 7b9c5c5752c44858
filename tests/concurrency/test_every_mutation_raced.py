"""Every field of the Mutation type, as the live server introspects it, has a race test."""

import importlib
import pkgutil

import tests.concurrency

INTROSPECT = "{ __schema { mutationType { fields { name } } } }"


def _raced_mutations() -> set[str]:
    """The names in the `mutations` marks of this package's race tests."""
    names = set()
    for info in pkgutil.iter_modules(tests.concurrency.__path__):
        if not info.name.endswith("_race"):
            continue
        module = importlib.import_module(f"tests.concurrency.{info.name}")
        for test in vars(module).values():
            for mark in getattr(test, "pytestmark", []):
                if mark.name == "mutations":
                    names.update(mark.args)
    return names


def test_every_mutation_has_a_concurrency_test(race):
    served = {f["name"] for f in race.one(INTROSPECT)["mutationType"]["fields"]}
    raced = _raced_mutations()
    assert served - raced == set(), "mutations without a race test in tests/concurrency"
    assert raced - served == set(), "race tests name mutations the schema does not serve"
