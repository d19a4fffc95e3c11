"""Staff accounts for the console: passwords kept as a slow hash (scrypt), sessions and failed
attempts in the state store (memory or Redis, so every worker process shares them).

A login that fails too often locks the account (and the address it came from) for a while;
a session is a random token in a cookie, with its own CSRF token for every form and every
state-changing request. Nothing here knows about HTTP: adapters/console/ does.
"""
from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.accounts import password_hash, set_password_hash
from storage.db import Database
from storage.registry import Registry, StaffInfo
from storage.state import StateStore

# scrypt at n=2**14, r=8: ~16 MB and tens of milliseconds a guess (OWASP's minimum is n=2**17
# with r=8 for interactive logins on big servers; a county's 2-core box must not be DoS-ed by a
# login form, so the lock-out does the rest)
N, R, P = 2 ** 14, 8, 1
MIN_LENGTH = 8
_SESSION = "console:session:"
_FAIL = "console:fail:"
_FAIL_ADDRESS = "console:fail-addr:"
HASHES_AT_ONCE = 2            # scrypt computations at once per process (each takes 16 MB)
ADDRESS_FACTOR = 4            # an address may fail this many times an account's limit (several users behind one NAT)


class PasswordTooWeak(ValueError):
    pass


def hash_password(password: str, *, n: int = N) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=n, r=R, p=P, maxmem=64 * 1024 * 1024, dklen=32)
    return "$".join(("scrypt", str(n), str(R), str(P), _b64(salt), _b64(digest)))


def check_password(password: str, stored: str | None) -> bool:
    """Constant-time comparison; a missing or malformed hash costs the same work and fails."""
    try:
        kind, n, r, p, salt, digest = (stored or "").split("$")
        if kind != "scrypt":
            raise ValueError(kind)
        params = int(n), int(r), int(p)
        expected, salt_bytes = _unb64(digest), _unb64(salt)
    except ValueError:
        hash_password(password)        # the same time as a real check: no telling who has an account
        return False
    got = hashlib.scrypt(password.encode(), salt=salt_bytes, n=params[0], r=params[1], p=params[2],
                         maxmem=64 * 1024 * 1024, dklen=len(expected))
    return hmac.compare_digest(got, expected)


def check_strength(password: str, staff: StaffInfo) -> None:
    if len(password) < MIN_LENGTH:
        raise PasswordTooWeak(f"a password needs at least {MIN_LENGTH} characters")
    if password.lower() in {staff.id.lower(), staff.wecom_userid.lower(), staff.phone}:
        raise PasswordTooWeak("a password may not be the account's own name or phone number")
    if len(set(password)) < 4:
        raise PasswordTooWeak("a password needs at least four different characters")


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _unb64(text: str) -> bytes:
    try:
        return base64.b64decode(text.encode(), validate=True)
    except (ValueError, TypeError) as exc:
        raise ValueError("not base64") from exc


async def set_password(db: Database, staff: StaffInfo, password: str, now: datetime) -> None:
    check_strength(password, staff)
    hashed = await asyncio.to_thread(hash_password, password)
    async with db.session() as s:
        await set_password_hash(s, staff.id, hashed, now)


@dataclass(frozen=True)
class Session:
    token: str
    staff_id: str
    csrf: str


@dataclass(frozen=True)
class LoginPolicy:
    max_failures: int = 5
    lockout_seconds: float = 15 * 60
    session_seconds: float = 12 * 3600


class Accounts:
    """Log in, look a session up, log out; lock-out after repeated failures."""

    def __init__(self, db: Database, state: StateStore, policy: LoginPolicy = LoginPolicy()):
        self.db, self.state, self.policy = db, state, policy
        # scrypt takes tens of milliseconds and 16 MB: off the event loop (a burst of logins froze
        # every channel), a few at a time
        self._hashing = asyncio.Semaphore(HASHES_AT_ONCE)

    async def _check(self, password: str, stored: str | None) -> bool:
        async with self._hashing:
            return await asyncio.to_thread(check_password, password, stored)

    async def tries_left(self, staff_id: str) -> int:
        """Failed attempts left before the account is locked."""
        return max(0, self.policy.max_failures - int(await self.state.get(_FAIL + staff_id) or 0))

    async def locked(self, staff_id: str, address: str) -> bool:
        """Whether the next attempt would be refused unchecked."""
        p = self.policy
        failures = int(await self.state.get(_FAIL + staff_id) or 0)
        by_address = int(await self.state.get(_FAIL_ADDRESS + address) or 0)
        return failures >= p.max_failures or by_address >= p.max_failures * ADDRESS_FACTOR

    async def login(self, registry: Registry, staff_id: str, password: str, address: str) -> Session | None:
        """A new session, or None: wrong id or password, an inactive account, or locked out
        (the caller asks `locked` to say which of the last)."""
        staff_id = canonical_id(registry, staff_id)
        p, ttl = self.policy, self.policy.lockout_seconds
        # every attempt is counted before its password is checked: attempts sent at once all
        # passed a look at the counters first, and were all checked (a burst of 150 got through)
        tries = await self.state.incr(_FAIL + staff_id, ttl=ttl)
        from_there = await self.state.incr(_FAIL_ADDRESS + address, ttl=ttl)
        if tries > p.max_failures or from_there > p.max_failures * ADDRESS_FACTOR:
            return None
        staff = registry.staff.get(staff_id)
        async with self.db.session() as s:
            stored = await password_hash(s, staff_id) if staff is not None else None
        ok = await self._check(password, stored) and staff is not None and staff.active
        if not ok:
            return None
        await self.state.delete(_FAIL + staff_id)
        await self.state.incr(_FAIL_ADDRESS + address, -1, ttl=ttl)       # a success is no failure
        session = Session(secrets.token_urlsafe(32), staff_id, secrets.token_urlsafe(32))
        await self.state.set(_SESSION + session.token, {"staff": session.staff_id, "csrf": session.csrf,
                                                        "pw": _fingerprint(stored)},
                             ttl=self.policy.session_seconds)
        return session

    async def session(self, token: str) -> Session | None:
        """The session of a token, while the password it was opened with is the account's: a
        password reset ends every session opened before it (a leaked one kept working for 12 h)."""
        if not token or len(token) > 100:
            return None
        data: Any = await self.state.get(_SESSION + token)
        if not isinstance(data, dict):
            return None
        staff_id = str(data.get("staff", ""))
        async with self.db.session() as s:
            stored = await password_hash(s, staff_id)
        if not hmac.compare_digest(str(data.get("pw", "")), _fingerprint(stored)):
            await self.state.delete(_SESSION + token)
            return None
        return Session(token, staff_id, str(data.get("csrf", "")))

    async def logout(self, token: str) -> None:
        await self.state.delete(_SESSION + token)


def _fingerprint(stored: str | None) -> str:
    """Which password a session was opened with, without the hash itself in the state store."""
    return hashlib.sha256((stored or "").encode()).hexdigest()[:24]


def csrf_ok(session: Session, given: str) -> bool:
    return bool(given) and hmac.compare_digest(session.csrf.encode(), given.encode())


def canonical_id(registry: Registry, staff_id: str) -> str:
    """The account as the registry spells it: staff type "GW-LIULIN" or " gw-liulin " alike
    (and the failure counters count them as one)."""
    given = staff_id.strip()[:64]
    if given in registry.staff:
        return given
    return next((k for k in registry.staff if k.lower() == given.lower()), given)
