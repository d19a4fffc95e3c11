"""The matters one message lists: a group post's numbered relays ("1.柳林村… 2.桃源村…"), a
resident's "我有两个事 一是…二是…": each is a report of its own."""
from __future__ import annotations

import re

# a numbered list of matters: "1." "1、" "（1）" "①" "一、"
_ITEM = re.compile(r"(?:^|(?<=[\s，,。；;：:!！?？]))(?:[（(]?([1-9])[)）.、．]|([①-⑨])|([一二三四五六七八九])、)")


def enumerated(body: str) -> list[str]:
    """The items of a numbered list (1, 2, 3… in order), or [] when the post is not one."""
    marks: list[re.Match[str]] = []
    for m in _ITEM.finditer(body):
        n = int(m.group(1)) if m.group(1) else (ord(m.group(2)) - ord("①") + 1 if m.group(2)
                                                 else "一二三四五六七八九".index(m.group(3)) + 1)
        if n == len(marks) + 1:
            marks.append(m)
    if len(marks) < 2:
        return []
    ends = [m.start() for m in marks[1:]] + [len(body)]
    items = [body[m.end():e].strip(" ，,。；;") for m, e in zip(marks, ends, strict=True)]
    return items if all(len(i) >= 6 for i in items) else []


# "我有两个事 一是…二是…": two matters told in one message
_FIRST_SECOND = re.compile(r"(?:^|(?<=[\s，,。；;：:]))一是(.{6,}?)[\s，,。；;]+二是(.{6,})$")


def matters_listed(body: str) -> list[str]:
    """The matters a message lists, numbered ("1.… 2.…") or "一是…二是…"; [] for one matter."""
    items = enumerated(body)
    if items:
        return items
    m = _FIRST_SECOND.search(body.strip())
    return [m.group(1).strip(" ，,。；;"), m.group(2).strip(" ，,。；;")] if m else []
