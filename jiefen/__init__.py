"""The composition root: where jiefen is put together. The command line, the assembly of one
app context (storage, understanding, the dispatcher with its handlers, the channels), the
server's workers, and the test kit live here, above every layer they assemble; nothing below
imports from here."""
