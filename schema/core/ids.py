"""Relay global ids in mutation inputs, turned into (model, primary key)."""

from graphql_relay import from_global_id

from hub.errors import ApplicationError, ErrorCode


def decode_id(global_id, field: str, allowed: dict):
    """(model, pk) for a global id of one of the `allowed` {type name: model}.

    Garbled ids and ids of other types are NOT_FOUND on `field`, like unknown ones.
    """
    try:
        type_name, raw_pk = from_global_id(global_id or "")
        pk = int(raw_pk)
    except (TypeError, ValueError, UnicodeDecodeError):
        type_name, pk = None, None
    model = allowed.get(type_name)
    if model is None or pk is None or pk <= 0:
        kinds = " or ".join(allowed)
        raise ApplicationError(ErrorCode.NOT_FOUND, f"No {kinds} with this id.", field)
    return model, pk


def decode_pk(global_id, field: str, type_name: str, model) -> int:
    return decode_id(global_id, field, {type_name: model})[1]
