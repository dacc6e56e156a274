"""The token signing key (`PINGAN_SECRET_KEY`) must be at least 32 random bytes: the server
refuses to start with a short key or one that is visibly not random (a word, a repeated
phrase), since anyone who guesses the key can sign a token for any user."""

from __future__ import annotations

import math
from collections import Counter

MIN_BYTES = 32
#: bits the characters of the key must carry (Shannon estimate over its own characters)
MIN_BITS = 128
HOW = 'make one with: python -c "import secrets; print(secrets.token_urlsafe(48))"'


def _period(key: str) -> int:
    """The length of the shortest piece that `key` repeats (its own length if none)."""
    for p in range(1, len(key) // 2 + 1):
        if all(key[i] == key[i + p] for i in range(len(key) - p)):
            return p
    return len(key)


def estimated_bits(key: str) -> float:
    """An upper estimate of the randomness in `key`: the length of the piece it repeats (all
    of it, mostly) times the entropy of that piece's character frequencies (a phrase said
    again or a run of one character scores low)."""
    key = key[: _period(key)]
    if not key:
        return 0.0
    counts = Counter(key)
    n = len(key)
    return n * -sum(c / n * math.log2(c / n) for c in counts.values())


def key_problem(key: str) -> str | None:
    """Why `key` may not sign tokens (one line, saying how to make a good one), or None."""
    if not key:
        return f"PINGAN_SECRET_KEY is not set: the server needs a token signing key; {HOW}"
    size = len(key.encode())
    if size < MIN_BYTES:
        return (
            f"PINGAN_SECRET_KEY is too short ({size} bytes; at least {MIN_BYTES} random bytes); "
            f"{HOW}"
        )
    if estimated_bits(key) < MIN_BITS:
        return f"PINGAN_SECRET_KEY does not look random (a word or a repeated phrase); {HOW}"
    return None


class WeakSecretKey(RuntimeError):
    """The server may not start with this signing key."""
