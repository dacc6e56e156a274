"""CRUD of the roster tables: GET /{resource} (paged, filtered), POST, GET/PATCH/DELETE
/{resource}/{code}. Everyone may read; commanders (and admins) may write the roster, training
officers the drill resources too."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import BaseModel, Field, create_model

from api import crud
from api.auth import Principal
from api.crud import Resource
from api.deps import ROSTER_WRITE, Reader, SessionDep, require
from api.resources import RESOURCES
from api.schemas.common import Page


def _filters_model(res: Resource) -> type[BaseModel]:
    fields: dict[str, Any] = {
        "limit": (int, Field(default=50, ge=1, le=500, description="page size")),
        "offset": (int, Field(default=0, ge=0, le=10_000_000, description="rows to skip")),
    }
    if res.search:
        fields["q"] = (str | None, Field(default=None, max_length=64, description="name contains"))
    for ref in res.refs:
        fields[ref.field] = (str | None, Field(default=None, max_length=64, description="code"))
    for name in res.filters:
        fields[name] = (res.create.model_fields[name].annotation | None, None)
    title = res.entity.title().replace("_", "")
    return create_model(f"{title}Filters", **fields)


def crud_router(res: Resource) -> APIRouter:
    router = APIRouter(prefix=f"/{res.name}", tags=[res.name])
    filters_model = _filters_model(res)
    Writer = Annotated[Principal, Depends(require(res.write_roles or ROSTER_WRITE))]
    key_doc = f"the {res.entity}'s {res.key}"

    @router.get("", response_model=Page[res.public], summary=f"List {res.name}")
    def list_items(
        session: SessionDep, who: Reader, filters: Annotated[filters_model, Query()]
    ) -> dict[str, Any]:
        data = filters.model_dump()
        limit, offset = data.pop("limit"), data.pop("offset")
        items, total = crud.list_rows(session, res, data, limit, offset)
        return {"items": items, "total": total, "limit": limit, "offset": offset}

    @router.post("", response_model=res.public, status_code=201, summary=f"Create a {res.entity}")
    def create_item(session: SessionDep, who: Writer, body: res.create) -> dict[str, Any]:
        return crud.create_row(session, res, body, who)

    @router.get("/{key}", response_model=res.public, summary=f"Read a {res.entity}")
    def read_item(
        session: SessionDep, who: Reader, key: Annotated[str, Path(description=key_doc)]
    ) -> dict[str, Any]:
        return crud.get_one(session, res, key)

    @router.patch("/{key}", response_model=res.public, summary=f"Change a {res.entity}")
    def update_item(session: SessionDep, who: Writer, key: str, body: res.update) -> dict[str, Any]:
        return crud.update_row(session, res, key, body, who)

    @router.delete("/{key}", status_code=204, summary=f"Delete a {res.entity}")
    def delete_item(session: SessionDep, who: Writer, key: str) -> Response:
        crud.delete_row(session, res, key, who)
        return Response(status_code=204)

    return router


def roster_routers() -> list[APIRouter]:
    from api.drill_resources import DRILL_RESOURCES

    return [crud_router(res) for res in (*RESOURCES, *DRILL_RESOURCES)]
