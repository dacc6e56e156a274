"""Readiness now lives in `dispatch.readiness` (business logic belongs outside the API);
this module re-exports it so existing imports keep working."""

from dispatch.readiness import Readiness, standby_readiness

__all__ = ["Readiness", "standby_readiness"]
