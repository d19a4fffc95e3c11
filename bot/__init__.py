"""The channel-neutral core of jiefen: messages, dispatcher, conversations, app context."""
