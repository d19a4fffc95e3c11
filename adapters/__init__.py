"""Channels. Each adapter translates one channel's wire format to `bot.message` and back, at
the edge; nothing behind it sees XML, JSON payloads or HTTP."""
