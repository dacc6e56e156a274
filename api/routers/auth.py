"""Login, the caller's own record, users (admin) and API keys for machine clients (admin)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import select

from api import audit
from api.auth import AuthError, create_api_key, create_token, create_user, revoke_tokens
from api.deps import Admin, CurrentUser, EngineDep, SessionDep, SettingsDep
from api.errors import ApiError, problem_responses
from api.login_throttle import LoginLocked, client_address, log_in
from api.models import ApiKey, Role, User

router = APIRouter(tags=["users"])


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="seconds")
    role: Role


class Me(BaseModel):
    name: str
    role: Role
    kind: str = Field(description="user or key")


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")
    password: str = Field(min_length=8, max_length=256)
    role: Role
    full_name: str = Field(default="", max_length=128)


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Role | None = None
    active: bool | None = None
    full_name: str | None = Field(default=None, max_length=128)
    password: str | None = Field(default=None, min_length=8, max_length=256)
    person_badge: str | None = Field(
        default=None, max_length=64, description="the roster person this login is ('': none)"
    )


class UserPublic(BaseModel):
    id: int
    username: str
    full_name: str
    role: Role
    active: bool
    person_badge: str | None = None


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=64)
    role: Role


class ApiKeyPublic(BaseModel):
    id: int
    name: str
    role: Role
    active: bool
    prefix: str


class ApiKeyCreated(ApiKeyPublic):
    key: str = Field(description="the key itself: shown once, keep it safe")


def _user(user: User) -> dict[str, Any]:
    return UserPublic.model_validate(user, from_attributes=True).model_dump(mode="json")


@router.post(
    "/auth/token",
    response_model=Token,
    summary="Log in (OAuth2 password flow)",
    responses=problem_responses(429),
)
def login(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
) -> Token:
    """Too many wrong passwords for a username or from an address lock it for a while: 429
    with `Retry-After` (seconds)."""
    address = client_address(request.client.host if request.client else None)
    try:
        user = log_in(engine, settings, form.username, form.password, address)
    except LoginLocked as exc:
        raise ApiError(429, str(exc), headers={"Retry-After": str(exc.retry_after)}) from exc
    except PermissionError as exc:
        raise ApiError(401, str(exc), headers={"WWW-Authenticate": "Bearer"}) from exc
    token, seconds = create_token(settings.secret_key, user, settings.token_minutes)
    return Token(access_token=token, expires_in=seconds, role=Role(user.role))


@router.post("/auth/logout", status_code=204, summary="Log out everywhere")
def logout(session: SessionDep, who: CurrentUser) -> Response:
    """Outdate every token of the caller (all their logins, open event streams included)."""
    if who.kind != "user":
        raise ApiError(422, "an API key cannot log out: an admin revokes it (DELETE /api-keys)")
    user = _find_user(session, who.name)
    revoke_tokens(user)
    session.add(user)
    session.commit()
    return Response(status_code=204)


@router.get("/me", response_model=Me, summary="Who am I")
def me(who: CurrentUser) -> Me:
    return Me(name=who.name, role=who.role, kind=who.kind)


@router.get("/users", response_model=list[UserPublic], summary="List users")
def list_users(session: SessionDep, who: Admin) -> list[dict[str, Any]]:
    return [_user(u) for u in session.exec(select(User).order_by(User.id)).all()]  # type: ignore[arg-type]


@router.post("/users", response_model=UserPublic, status_code=201, summary="Add a user")
def add_user(session: SessionDep, who: Admin, body: UserCreate) -> dict[str, Any]:
    try:
        user = create_user(session, body.username, body.password, body.role, body.full_name)
    except AuthError as exc:
        raise ApiError(409 if "taken" in str(exc) else 422, str(exc)) from exc
    after = _user(user)
    audit.record(session, who, "create", "user", user.username, after=after)
    session.commit()
    return after


def _find_user(session: Any, username: str) -> User:
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise ApiError(404, f"user '{username}': no such user")
    return user


@router.patch("/users/{username}", response_model=UserPublic, summary="Change a user")
def change_user(session: SessionDep, who: Admin, username: str, body: UserUpdate) -> dict[str, Any]:
    from api.auth import hash_password

    user = _find_user(session, username)
    before = _user(user)
    if body.role is not None:
        user.role = body.role.value
    if body.active is not None:
        if user.active and not body.active:
            revoke_tokens(user)
        user.active = body.active
    if body.full_name is not None:
        user.full_name = body.full_name
    if body.password is not None:
        user.password_hash = hash_password(body.password)
        revoke_tokens(user)
    session.add(user)
    if body.person_badge is not None:
        from api.user_person import LinkError, link_person

        try:
            link_person(session, who, username, body.person_badge)
        except LinkError as exc:
            raise ApiError(422, str(exc)) from exc
    session.flush()
    after = _user(user)
    changed = body.model_dump(exclude_unset=True)
    if "password" in changed:
        after = {**after, "password": "changed"}
    audit.record(session, who, "update", "user", username, before=before, after=after)
    session.commit()
    return _user(user)


@router.get("/api-keys", response_model=list[ApiKeyPublic], summary="List API keys")
def list_keys(session: SessionDep, who: Admin) -> list[ApiKey]:
    return list(session.exec(select(ApiKey).order_by(ApiKey.id)).all())  # type: ignore[arg-type]


@router.post("/api-keys", response_model=ApiKeyCreated, status_code=201, summary="Make an API key")
def make_key(session: SessionDep, who: Admin, body: ApiKeyCreate) -> dict[str, Any]:
    try:
        row, key = create_api_key(session, body.name, body.role, who.name)
    except AuthError as exc:
        raise ApiError(409, str(exc)) from exc
    public = ApiKeyPublic.model_validate(row, from_attributes=True).model_dump(mode="json")
    audit.record(session, who, "create", "api_key", row.name, after=public)
    session.commit()
    return {**public, "key": key}


@router.delete("/api-keys/{name}", status_code=204, summary="Revoke an API key")
def revoke_key(session: SessionDep, who: Admin, name: str) -> Response:
    row = session.exec(select(ApiKey).where(ApiKey.name == name)).first()
    if row is None:
        raise ApiError(404, f"API key '{name}': no such key")
    before = ApiKeyPublic.model_validate(row, from_attributes=True).model_dump(mode="json")
    row.active = False
    session.add(row)
    audit.record(session, who, "revoke", "api_key", name, before=before)
    session.commit()
    return Response(status_code=204)
