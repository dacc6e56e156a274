"""Which roster person a login is: `User.person_badge`, set by an admin (PATCH /users/{name}
with `person_badge`, or the person's roster page). A person has at most one login: linking a
badge takes it from any other login. Every change is audited in the caller's transaction."""

from __future__ import annotations

from sqlmodel import Session, select

from api import audit
from api.auth import Principal
from api.models import User
from rosters.models import Person


class LinkError(ValueError):
    """An unknown user or badge; ``field`` names which."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _set(session: Session, who: Principal, user: User, badge: str | None) -> None:
    if user.person_badge == badge:
        return
    before = {"person_badge": user.person_badge}
    user.person_badge = badge
    session.add(user)
    audit.record(
        session, who, "update", "user", user.username, before=before, after={"person_badge": badge}
    )


def link_person(session: Session, who: Principal, username: str, badge: str | None) -> None:
    """Make ``username`` the login of the person ``badge`` (None or "": of nobody)."""
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise LinkError("username", f"user '{username}': no such user")
    badge = badge or None
    if badge is not None:
        if session.exec(select(Person.id).where(Person.badge == badge)).first() is None:
            raise LinkError("person_badge", f"person_badge: no person with badge '{badge}'")
        for other in session.exec(select(User).where(User.person_badge == badge)).all():
            if other.id != user.id:
                _set(session, who, other, None)
    _set(session, who, user, badge)


def unlink_person(session: Session, who: Principal, badge: str) -> None:
    """No login is the person ``badge`` any more."""
    for user in session.exec(select(User).where(User.person_badge == badge)).all():
        _set(session, who, user, None)
