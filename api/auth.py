"""Users, passwords, tokens and API keys.

- Passwords are hashed with argon2 (pwdlib); no default password exists anywhere: the first
  admin is made by `pingan user create-admin`.
- Login returns a short-lived JWT (PyJWT, HS256, lifetime `PINGAN_TOKEN_MINUTES`) signed with
  `PINGAN_SECRET_KEY`. The token carries the user's token version (`ver`); a password change,
  deactivation or logout bumps the version, which outdates every token issued before (checked
  on every request and by open event streams).
- Machine clients use API keys `pak_<prefix>_<secret>` sent as `X-API-Key`; only the SHA-256
  of the key is stored (keys are long random strings, so a fast hash is enough) and the
  prefix finds the row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

import jwt
from pwdlib import PasswordHash
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, select

from api.models import ApiKey, Role, User, utcnow

ALGORITHM = "HS256"
MIN_PASSWORD = 8
_hasher = PasswordHash.recommended()


class AuthError(ValueError):
    """Bad credentials, or a user/key that cannot be created."""


@dataclass(frozen=True)
class Principal:
    """Who is calling: a user or a machine key, with its role."""

    name: str
    role: Role
    kind: str = "user"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, hashed: str) -> bool:
    try:
        return _hasher.verify(password, hashed)
    except Exception:  # a malformed stored hash never lets anyone in
        return False


def create_user(
    session: Session, username: str, password: str, role: Role | str, full_name: str = ""
) -> User:
    """A new user; refuses a short password or a username already taken."""
    if len(password) < MIN_PASSWORD:
        raise AuthError(f"password: at least {MIN_PASSWORD} characters")
    if session.exec(select(User).where(User.username == username)).first() is not None:
        raise AuthError(f"username: '{username}' is already taken")
    user = User(
        username=username,
        full_name=full_name,
        role=Role(role).value,
        password_hash=hash_password(password),
    )
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        verify_password(password, _DUMMY)  # same work whether or not the user exists
        return None
    if not user.active or not verify_password(password, user.password_hash):
        return None
    return user


def create_token(secret: str, user: User, minutes: int) -> tuple[str, int]:
    """A signed access token for `user` at its current token version; returns the token and
    its lifetime in seconds."""
    now = dt.datetime.now(dt.UTC)
    payload = {
        "sub": user.username,
        "role": user.role,
        "ver": user.token_version or 0,
        "iat": now,
        "exp": now + dt.timedelta(minutes=minutes),
    }
    return jwt.encode(payload, secret, algorithm=ALGORITHM), minutes * 60


def token_claims(secret: str, token: str) -> dict[str, Any] | None:
    """The claims of a token signed with `secret` and not expired (no database: cheap)."""
    try:
        return jwt.decode(
            token, secret, algorithms=[ALGORITHM], options={"require": ["exp", "sub", "ver"]}
        )
    except jwt.PyJWTError:
        return None


def signed_here(secret: str, token: str) -> bool:
    """Whether `token` was signed with `secret`, expired or not (a refused token that was not
    is a forgery or a guess)."""
    try:
        jwt.decode(token, secret, algorithms=[ALGORITHM], options={"verify_exp": False})
    except jwt.PyJWTError:
        return False
    return True


def principal_from_token(session: Session, secret: str, token: str) -> Principal | None:
    """The user a token names, when the token is valid, of the user's current token version,
    and the user still active (a role changed since login takes effect at once: the role is
    read from the database)."""
    payload = token_claims(secret, token)
    return None if payload is None else principal_from_claims(session, payload)


def principal_from_claims(
    session: Session | Connection, payload: dict[str, Any]
) -> Principal | None:
    """The user of a token's verified claims, if the token is of the user's current version
    and the user is active (read on every request: a logout or a password change outdates
    its tokens at once)."""
    row = session.execute(
        select(User.username, User.role, User.active, User.token_version).where(  # type: ignore[call-overload]
            User.username == str(payload["sub"])
        )
    ).first()
    if row is None or not row.active or row.token_version != payload["ver"]:
        return None
    return Principal(row.username, Role(row.role), "user")


def revoke_tokens(user: User) -> None:
    """Outdate every token issued to `user` so far (the caller commits)."""
    user.token_version = (user.token_version or 0) + 1


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_api_key(session: Session, name: str, role: Role | str, by: str) -> tuple[ApiKey, str]:
    """A new API key; returns the row and the key itself (shown once, never stored)."""
    if session.exec(select(ApiKey).where(ApiKey.name == name)).first() is not None:
        raise AuthError(f"name: an API key named '{name}' exists")
    prefix = secrets.token_hex(6)
    key = f"pak_{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiKey(name=name, prefix=prefix, key_hash=_digest(key), role=Role(role).value)
    row.created_by = by
    session.add(row)
    session.flush()
    return row, key


def _active_key(session: Session, key: str) -> ApiKey | None:
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != "pak":
        return None
    row = session.exec(select(ApiKey).where(ApiKey.prefix == parts[1])).first()
    if row is None or not row.active or not hmac.compare_digest(row.key_hash, _digest(key)):
        return None
    return row


def principal_from_api_key(session: Session, key: str) -> Principal | None:
    row = _active_key(session, key)
    return None if row is None else Principal(f"key:{row.name}", Role(row.role), "key")


def looks_like_api_key(key: str) -> bool:
    """The shape of a key this server makes (`pak_<12 hex>_<secret>`), checked before any
    database lookup."""
    parts = key.split("_", 2)
    return len(parts) == 3 and parts[0] == "pak" and 0 < len(parts[1]) <= 16 and bool(parts[2])


def check_api_key(session: Session, key: str) -> tuple[Principal, bool] | None:
    """The key's principal and whether its last use should be noted (`touch_api_key`): only
    when the noted time is over a minute old, so most requests write nothing."""
    row = _active_key(session, key)
    if row is None:
        return None
    last = row.last_used_at
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=dt.UTC)
    stale = last is None or last < utcnow() - TOUCH_EVERY
    return Principal(f"key:{row.name}", Role(row.role), "key"), stale


def touch_api_key(engine: Engine, key: str) -> None:
    """Note when a key was last used — coarsely (a write at most once a minute per key), in
    a write transaction of its own so a read request never has to upgrade to a writer."""
    from sqlalchemy import or_, update

    from rosters.db import session_scope

    prefix = key.split("_", 2)[1]
    now = utcnow()
    with session_scope(engine) as session:
        session.execute(
            update(ApiKey)
            .where(ApiKey.prefix == prefix)
            .where(
                or_(
                    ApiKey.last_used_at.is_(None),  # type: ignore[union-attr]
                    ApiKey.last_used_at < now - TOUCH_EVERY,  # type: ignore[operator]
                )
            )
            .values(last_used_at=now)
        )


TOUCH_EVERY = dt.timedelta(minutes=1)
_DUMMY = hash_password(secrets.token_hex(8))
