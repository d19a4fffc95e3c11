"""Handlers: each module exports a router; `build_router` puts them together."""
from __future__ import annotations

from bot.dispatcher import Router


def build_router() -> Router:
    from handlers import group, media, resident, staff

    root = Router("handlers")
    # routers are module-level declarations, like aiogram's; a fresh root per app keeps
    # apps independent, and a router may sit in several roots
    # staff first: it answers only on staff channels, so residents never reach its commands
    root.children.extend([staff.router, group.router, resident.router, media.router])
    from handlers import subscriptions  # unfollow, consent, recognised voice: just before the resident router
    root.children.insert(root.children.index(resident.router), subscriptions.router)
    # a party invited to a mediation speaks from their own chat: before the resident's intake
    from handlers import party
    root.children.insert(root.children.index(resident.router), party.router)
    return root
