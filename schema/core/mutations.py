"""Mutation plumbing: input in, one hub service call, payload with typed errors out.

ApplicationErrors with UNAUTHENTICATED/FORBIDDEN become top-level GraphQL errors
(the view gives them extensions.code); every other code becomes an entry of the
payload's `errors` list, with the payload's objects left null.
"""

import graphene
from django.db.models import Model
from graphene.utils.str_converters import to_camel_case
from graphene.utils.trim_docstring import trim_docstring

from hub import kinds
from hub.errors import ApplicationError, ErrorCode, ValidationErrors
from hub.permissions import require_moderator, require_signed_in
from schema.core.enums import enum_value
from schema.core.ids import decode_pk

_PAYLOAD_CODES = [
    ErrorCode.REQUIRED,
    ErrorCode.INVALID,
    ErrorCode.TOO_LONG,
    ErrorCode.DUPLICATE,
    ErrorCode.NOT_FOUND,
    ErrorCode.NOT_ALLOWED,
]
_CODE_DESCRIPTIONS = {
    ErrorCode.REQUIRED: "A required field is missing or blank.",
    ErrorCode.INVALID: "The value is not acceptable (format, range, or an id of the wrong type).",
    ErrorCode.TOO_LONG: "The value is longer than the field allows.",
    ErrorCode.DUPLICATE: "The value is taken already (a username, an email, a resource's URL...).",
    ErrorCode.NOT_FOUND: "No object with this id or slug exists that the viewer may see.",
    ErrorCode.NOT_ALLOWED: "The rules forbid it (voting on one's own solution, for one).",
}
UserErrorCode = graphene.Enum(
    "UserErrorCode",
    [(c.value, c.value) for c in _PAYLOAD_CODES],
    description=lambda member: (
        "Why an input was refused."
        if member is None
        else _CODE_DESCRIPTIONS[ErrorCode(member.value)]
    ),
)
_TOP_LEVEL = {ErrorCode.UNAUTHENTICATED, ErrorCode.FORBIDDEN}


class UserError(graphene.ObjectType):
    """A problem with a mutation's input: which field, why, and a message for people."""

    field = graphene.String(
        description="The input field at fault, camelCase as in the input; null: the whole input."
    )
    message = graphene.String(
        required=True, description="What is wrong, in English, to show to the person typing."
    )
    code = graphene.Field(
        UserErrorCode, required=True, description="What is wrong, for programs to act on."
    )
    index = graphene.Int(
        description="Position (from 0) of the item at fault in the input list, for bulk "
        "mutations; null otherwise."
    )


def user_error(error: ApplicationError) -> UserError:
    return UserError(
        field=to_camel_case(error.field) if error.field else None,
        message=error.message,
        code=error.code.value,
        index=error.index,
    )


def user_errors(error: ApplicationError | ValidationErrors) -> list[UserError]:
    errors = error.errors if isinstance(error, ValidationErrors) else [error]
    for e in errors:
        if e.code in _TOP_LEVEL:
            raise e
    return [user_error(e) for e in errors]


class HubMutation(graphene.Mutation):
    """Base of every mutation: subclasses implement `perform(info, viewer, input)`.

    Who may call it is checked before the input is looked at, so an anonymous
    caller gets UNAUTHENTICATED (a non-moderator FORBIDDEN) whatever the input.
    """

    class Meta:
        abstract = True

    errors = graphene.List(
        graphene.NonNull(UserError),
        required=True,
        description="Why the input was refused; empty on success. When not empty, nothing "
        "was written and the payload's other fields are null.",
    )
    sign_in_required = True
    moderators_only = False

    @classmethod
    def __init_subclass_with_meta__(cls, name=None, description=None, **options):
        # The class docstring describes the mutation (Mutation.<field>); the payload type and
        # the fields, arguments it lacks a description for are described generically.
        cls._operation_description = trim_docstring(cls.__doc__)
        operation = to_camel_case(cls.__name__[0].lower() + cls.__name__[1:])
        description = description or (
            f"What `{operation}` returns: `errors`, empty on success, and what it wrote."
        )
        super().__init_subclass_with_meta__(
            name=name or f"{cls.__name__}Payload", description=description, **options
        )
        for field_name, field in cls._meta.fields.items():
            if not field.description:
                words = field_name.replace("_", " ")
                field.description = (
                    f"The {words} as `{operation}` left it; null when `errors` is not empty."
                )
        generic = f"The input of `{operation}`; each of its fields says its rules."
        for argument in cls._meta.arguments.values():
            if isinstance(argument, graphene.Argument):
                argument.description = argument.description or generic
            elif not argument.kwargs.get("description"):  # unmounted: `SomeInput(required=True)`
                argument.kwargs["description"] = generic

    @classmethod
    def Field(cls, name=None, description=None, deprecation_reason=None, required=False):
        return super().Field(
            name=name,
            description=description or cls._operation_description,
            deprecation_reason=deprecation_reason,
            required=required,
        )

    @classmethod
    def mutate(cls, root, info, input):
        viewer = info.context.user
        try:
            if cls.moderators_only:
                require_moderator(viewer)
            elif cls.sign_in_required:
                require_signed_in(viewer)
            return cls.perform(info, viewer, input)
        except (ApplicationError, ValidationErrors) as error:
            return cls(errors=user_errors(error))

    @classmethod
    def perform(cls, info, viewer, input):
        raise NotImplementedError


def service_arguments(input, **ids: tuple[str, type[Model]]) -> dict:
    """The input as a hub service's keyword arguments: every field its type declares (None
    where not sent), enum members as plain values, and each global id named in `ids`
    (input field=(argument, model)) decoded to that model's primary key."""
    arguments = {}
    for name in type(input)._meta.fields:
        value = input.get(name)
        if name in ids:
            argument, model = ids[name]
            type_name = kinds.of(model).type_name or model.__name__
            arguments[argument] = (
                None if value is None else decode_pk(value, name, type_name, model)
            )
        else:
            arguments[name] = enum_value(value)
    return arguments


def payload(cls, **objects):
    """A successful payload: the objects and an empty error list."""
    return cls(errors=[], **objects)
