"""Handlers: each module exports a router; `build_router` puts them together."""
from __future__ import annotations

from bot.dispatcher import Router


def build_router() -> Router:
    from handlers import group, media, resident

    root = Router("handlers")
    # routers are module-level declarations, like aiogram's; a fresh root per app keeps
    # apps independent, and a router may sit in several roots
    root.children.extend([group.router, resident.router, media.router])
    from handlers import subscriptions     # unfollow / consent: any channel that has them
    root.children.append(subscriptions.router)
    return root
