"""The XML bodies of WeChat's and WeCom's callbacks, read defensively: whatever a hostile body
makes the parser raise becomes `BadCallback` (a 4xx), never a 500."""
from __future__ import annotations

import binascii
import struct
from typing import Any
from xml.parsers.expat import ExpatError

import xmltodict
from wechatpy.exceptions import WeChatException

from adapters.base import BadCallback

# what wechatpy's decrypt / parse and the XML parser raise on malformed input (PROTOCOL.md);
# LookupError: an XML declaration naming an unknown encoding
BAD_INPUT = (ExpatError, ValueError, KeyError, IndexError, TypeError, AttributeError, struct.error,
             binascii.Error, UnicodeError, LookupError, RecursionError, OverflowError, WeChatException)


def xml_fields(xml: bytes | str) -> dict[str, Any]:
    """The children of <xml>; entities and DOCTYPEs are refused."""
    if not xml:
        raise BadCallback(400, "empty body")
    head = (xml.encode("utf-8", "replace") if isinstance(xml, str) else xml).upper()
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:     # WeChat never sends one; an attack does
        raise BadCallback(400, "DOCTYPE refused")
    try:
        doc = xmltodict.parse(xml, disable_entities=True)
    except BAD_INPUT:
        raise BadCallback(400, "not XML") from None
    root = doc.get("xml") if isinstance(doc, dict) else None
    if not isinstance(root, dict):
        raise BadCallback(400, "no <xml> root")
    return root
