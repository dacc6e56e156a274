"""Generic list / read / create / update / delete of a roster table, with references by
code, pagination, filters, and an audit entry for every write.

A `Resource` says how a table looks through the API: its user-facing key (`code`, `badge`),
its references (`jurisdiction` → Jurisdiction.code stored as `jurisdiction_id`), and the
Create / Public schemas. Updates are merged with the current record and validated again as
a whole with the Create schema, so cross-field rules hold after a PATCH too."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import Select, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, select

from api import audit
from api.auth import Principal
from api.errors import ApiError, FieldError
from api.models import Role
from rosters.search import contains_text


@dataclass(frozen=True)
class Ref:
    """An API field holding another record's code, stored as that record's row id."""

    field: str
    column: str
    model: type[SQLModel]
    key: str = "code"


@dataclass
class Resource:
    name: str  # URL segment, e.g. "people"
    entity: str  # audit entity, e.g. "person"
    model: type[SQLModel]
    create: type[BaseModel]
    update: type[BaseModel]
    public: type[BaseModel]
    key: str = "code"  # user-facing key: a column, or a Ref field (standby floors)
    refs: tuple[Ref, ...] = ()
    filters: tuple[str, ...] = ()  # columns filterable by equality
    search: str | None = "name"  # column matched by `q` (substring)
    # extra fields kept outside the table: read(session, row ids) → {row id: {field: value}}
    read_extra: Callable[[Session, Sequence[int]], dict[int, dict[str, Any]]] | None = None
    # write(session, row, data) stores them; data holds only the fields given
    write_extra: Callable[[Session, Any, dict[str, Any]], None] | None = None
    extra_fields: tuple[str, ...] = ()
    # roles that may write besides admins (None: the roster writers)
    write_roles: frozenset[Role] | None = None
    # the user-facing key from its URL text (e.g. a date); ValueError = no such record
    parse_key: Callable[[str], Any] | None = None
    refs_by_field: dict[str, Ref] = field(init=False)
    listing: Select[Any] | None = field(init=False, default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.refs_by_field = {r.field: r for r in self.refs}


def _not_found(res: Resource, key: str) -> ApiError:
    return ApiError(404, f"{res.entity} '{key}': no such {res.entity}")


def _codes(session: Session, ref: Ref, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    model = ref.model
    rows = session.exec(
        select(model.id, getattr(model, ref.key)).where(model.id.in_(ids))  # type: ignore[attr-defined]
    ).all()
    return dict(rows)  # type: ignore[arg-type]


def _id_of(session: Session, ref: Ref, code: str, loc: str = "body") -> int:
    model = ref.model
    rid = session.exec(select(model.id).where(getattr(model, ref.key) == code)).first()  # type: ignore[attr-defined]
    if rid is None:
        raise ApiError(
            422,
            f"{ref.field}: unknown {ref.model.__tablename__} '{code}'",  # type: ignore[attr-defined]
            [FieldError(loc=[loc, ref.field], msg=f"unknown code '{code}'")],
        )
    return rid


def to_public(session: Session, res: Resource, rows: Sequence[Any]) -> list[dict[str, Any]]:
    """Records (table objects) as the Public schema's dicts: ids of references replaced by
    codes."""
    return _public(session, res, [row.model_dump() for row in rows])


def _public(session: Session, res: Resource, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Records (dicts of the table's columns) as the Public schema's dicts, in place."""
    codes = {
        ref.field: _codes(session, ref, {r[ref.column] for r in records if r[ref.column]})
        for ref in res.refs
    }
    extra = res.read_extra(session, [r["id"] for r in records]) if res.read_extra else {}
    for data in records:
        for ref in res.refs:
            rid = data.pop(ref.column, None)
            data[ref.field] = codes[ref.field].get(rid) if rid is not None else None
        if extra:
            data.update(extra.get(data["id"], {}))
    return records


def _find(session: Session, res: Resource, key: str) -> Any:
    value: Any = key
    if res.parse_key is not None:
        try:
            value = res.parse_key(key)
        except ValueError:
            raise _not_found(res, key) from None
    if res.key in res.refs_by_field:
        ref = res.refs_by_field[res.key]
        rid = session.exec(
            select(ref.model.id).where(getattr(ref.model, ref.key) == key)  # type: ignore[attr-defined]
        ).first()
        cond = getattr(res.model, ref.column) == (rid if rid is not None else -1)
    else:
        cond = getattr(res.model, res.key) == value
    row = session.exec(select(res.model).where(cond)).first()
    if row is None:
        raise _not_found(res, key)
    return row


def _listing(res: Resource) -> Select[Any]:
    """The resource's columns as they are (no table object built a row, no model_dump), with
    the code of each reference joined in (as the last columns, in the order of `res.refs`)."""
    if res.listing is not None:
        return res.listing
    table = res.model.__table__  # type: ignore[attr-defined]
    stmt = sa_select(*table.columns)
    for ref in res.refs:
        target = ref.model.__table__.alias()  # type: ignore[attr-defined]
        stmt = stmt.add_columns(target.c[ref.key].label(f"ref {ref.field}")).outerjoin(
            target, target.c.id == table.c[ref.column]
        )
    res.listing = stmt
    return stmt


def list_rows(
    session: Session,
    res: Resource,
    filters: dict[str, Any],
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    model = res.model
    conditions = []
    for name, value in filters.items():
        if value is None:
            continue
        if name == "q" and res.search:
            conditions.append(contains_text(getattr(model, res.search), value))
        elif name in res.refs_by_field:
            ref = res.refs_by_field[name]
            rid = session.exec(
                select(ref.model.id).where(getattr(ref.model, ref.key) == value)  # type: ignore[attr-defined]
            ).first()
            conditions.append(getattr(model, ref.column) == (rid if rid is not None else -1))
        elif name in res.filters:
            conditions.append(getattr(model, name) == value)
    stmt = _listing(res).where(*conditions).order_by(model.id)  # type: ignore[attr-defined]
    result = session.execute(stmt.offset(offset).limit(limit))
    columns = list(result.keys())
    keys = columns[: len(columns) - len(res.refs)] + [r.field for r in res.refs]
    drop = [r.column for r in res.refs]  # the ids the codes stand for
    records = []
    for row in result:
        data = dict(zip(keys, row, strict=True))
        for column in drop:
            del data[column]
        records.append(data)
    if len(records) < limit and (records or offset == 0):  # the last page: no count needed
        total = offset + len(records)
    else:
        total = session.exec(select(func.count()).select_from(model).where(*conditions)).one()
    if res.read_extra:
        extra = res.read_extra(session, [r["id"] for r in records])
        for data in records:
            data.update(extra.get(data["id"], {}))
    return records, int(total)


def get_one(session: Session, res: Resource, key: str) -> dict[str, Any]:
    return to_public(session, res, [_find(session, res, key)])[0]


def _columns(session: Session, res: Resource, data: dict[str, Any]) -> dict[str, Any]:
    """API fields → table columns (codes → ids; extra fields left out)."""
    out = {}
    for name, value in data.items():
        if name in res.extra_fields:
            continue
        if name in res.refs_by_field:
            ref = res.refs_by_field[name]
            out[ref.column] = _id_of(session, ref, value) if value is not None else None
        else:
            out[name] = value
    return out


def _key_of(res: Resource, public: dict[str, Any]) -> str:
    return str(public[res.key])


def create_row(session: Session, res: Resource, body: BaseModel, who: Principal) -> dict[str, Any]:
    data = body.model_dump()
    row = res.model(**_columns(session, res, data))
    session.add(row)
    session.flush()
    if res.write_extra:
        res.write_extra(session, row, data)
    after = get_one_by_row(session, res, row)
    audit.record(session, who, "create", res.entity, _key_of(res, after), after=after)
    session.commit()
    return after


def get_one_by_row(session: Session, res: Resource, row: Any) -> dict[str, Any]:
    session.flush()
    session.refresh(row)
    return to_public(session, res, [row])[0]


def update_row(
    session: Session, res: Resource, key: str, patch: BaseModel, who: Principal
) -> dict[str, Any]:
    row = _find(session, res, key)
    before = to_public(session, res, [row])[0]
    changes = patch.model_dump(exclude_unset=True)
    merged = {k: v for k, v in before.items() if k != "id"} | changes
    try:
        whole = res.create.model_validate(merged)
    except ValidationError as exc:
        errors = [
            FieldError(loc=["body", *[str(p) for p in e["loc"]]], msg=e["msg"])
            for e in exc.errors()
        ]
        raise ApiError(422, "the record would not be valid after this change", errors) from exc
    data = whole.model_dump()
    given = {k: data[k] for k in changes}
    for name, value in _columns(session, res, given).items():
        setattr(row, name, value)
    session.add(row)
    session.flush()
    if res.write_extra:
        res.write_extra(session, row, given)
    after = get_one_by_row(session, res, row)
    audit.record(session, who, "update", res.entity, key, before=before, after=after)
    session.commit()
    return after


def delete_row(session: Session, res: Resource, key: str, who: Principal) -> None:
    row = _find(session, res, key)
    before = to_public(session, res, [row])[0]
    session.delete(row)
    session.flush()
    audit.record(session, who, "delete", res.entity, key, before=before)
    session.commit()
