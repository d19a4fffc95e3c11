"""Who is asking, behind the county's reverse proxy: the client's address, and whether the page
came over HTTPS. X-Forwarded-For is believed only from the proxies named in
JIEFEN_TRUSTED_PROXIES: behind a proxy every client had the proxy's address, so one abuser's
flood limited every resident of the web chat and 20 failed log-ins locked the console for
everyone (an outside trial); believed from anyone, the header would let a client pick its own."""
from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from aiohttp import web

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_networks(setting: str) -> tuple[Network, ...]:
    """"10.0.0.5, 10.1.0.0/16" → the networks; a malformed entry is an error at start-up."""
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in setting.split(",") if part.strip())


def _within(address: str, networks: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in n for n in networks)


def client_address(request: web.Request, proxies: Sequence[Network]) -> str:
    """The address the request came from: the nearest hop of X-Forwarded-For that is not one of
    our proxies, when it came through one of them; else the connection's own address."""
    remote = request.remote or "-"
    if not proxies or not _within(remote, proxies):
        return remote
    hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _within(hop, proxies):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote          # not an address: the proxy's own word is all we have
    return remote


def is_https(request: web.Request) -> bool:
    """Cookies get `Secure` when the page came over HTTPS (the proxy says so; a client that
    says so over plain HTTP only makes its own cookie stricter)."""
    return request.secure or request.headers.get("X-Forwarded-Proto", "") == "https"
