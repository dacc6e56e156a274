"""Shapes shared by every resource: pages of a list, partial updates, coordinates."""

from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, create_model

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list: `items`, the `total` matching the filters, and the window."""

    items: list[T]
    total: int
    limit: int
    offset: int


def partial(model: type[BaseModel], name: str) -> type[BaseModel]:
    """`model` with every field optional (absent = unchanged): the body of a PATCH."""
    fields: dict[str, Any] = {}
    for key, info in model.model_fields.items():
        kind = (
            Annotated[info.annotation | None, *info.metadata] if info.metadata else info.annotation
        )
        fields[key] = (kind | None, Field(default=None, description=info.description))
    return create_model(
        name,
        __config__=ConfigDict(extra="forbid"),
        __doc__="Fields to change (absent = unchanged).",
        **fields,
    )
