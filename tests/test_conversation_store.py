"""The conversation rows: read and written in the message's transaction, once each."""
from __future__ import annotations

from sqlalchemy import event

from storage.conversations import ConversationStore


async def test_a_change_inside_the_loaded_draft_is_saved(ctx):
    """The loaded state is a copy all the way down: appending to a list inside it and saving
    writes the change (a shallow copy once made the save look like no change: a photo sent
    during an intake was lost)."""
    now = ctx.clock.now()
    async with ctx.db.session() as s:
        await ConversationStore(s).save("c1", {"draft": {"media": []}}, now)
    async with ctx.db.session() as s:
        store = ConversationStore(s)
        data = await store.load("c1")
        data["draft"]["media"].append({"media_id": "M1"})
        await store.save("c1", data, now)
    async with ctx.db.session() as s:
        assert await ConversationStore(s).load("c1") == {"draft": {"media": [{"media_id": "M1"}]}}


async def test_a_message_reads_its_conversation_once(ctx):
    now = ctx.clock.now()
    async with ctx.db.session() as s:
        await ConversationStore(s).save("c2", {"step": "describe"}, now)
    selects = []

    def count(_conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "conversations" in statement:
            selects.append(statement)
    event.listen(ctx.db.engine.sync_engine, "before_cursor_execute", count)
    try:
        async with ctx.db.session() as s:
            store = ConversationStore(s)
            data = await store.load("c2")
            await store.save("c2", {**data, "step": "place"}, now)
    finally:
        event.remove(ctx.db.engine.sync_engine, "before_cursor_execute", count)
    assert len(selects) == 1
    async with ctx.db.session() as s:
        assert (await ConversationStore(s).load("c2"))["step"] == "place"
