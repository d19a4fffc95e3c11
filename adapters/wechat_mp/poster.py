"""A printable dispute-code poster (解纷码): the QR code with the place's name, in Chinese.

Chinese needs a CJK font. Pillow's built-in font has no CJK glyphs, so without one the poster
would print boxes: we look for a font file and refuse clearly when there is none.
"""
from __future__ import annotations

import io
from pathlib import Path

import segno
from PIL import Image, ImageDraw, ImageFont

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",          # Debian: fonts-wqy-microhei
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",            # fonts-wqy-zenhei
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",  # fonts-noto-cjk
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
)
WIDTH, HEIGHT = 1240, 1754            # A4 at 150 dpi


class PosterError(Exception):
    pass


def find_font(configured: str = "") -> str:
    if configured:
        if not Path(configured).is_file():
            raise PosterError(f"poster font {configured!r} (JIEFEN_POSTER_FONT) does not exist")
        return configured
    for candidate in FONT_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    raise PosterError("no CJK font found for the poster's Chinese text: install one (Debian: "
                      "apt-get install fonts-wqy-microhei) or set JIEFEN_POSTER_FONT to a .ttf/.ttc file")


def qr_image(content: str, size: int) -> Image.Image:
    qr = segno.make(content, error="m")
    buf = io.BytesIO()
    qr.save(buf, kind="png", scale=max(1, size // (qr.symbol_size(border=2)[0])), border=2)
    buf.seek(0)
    return Image.open(buf).convert("RGB").resize((size, size), Image.NEAREST)


def render_poster(content: str, place_name: str, county: str, footer: str, font_path: str,
                  hint: str = "微信扫一扫") -> bytes:
    """The poster as PNG bytes."""
    img = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(img)
    try:
        font = lambda size: ImageFont.truetype(font_path, size)  # noqa: E731
        title, big, body, small = font(64), font(96), font(48), font(32)
    except OSError as exc:
        raise PosterError(f"cannot read the poster font {font_path}: {exc}") from None
    red = (178, 34, 34)
    draw.rectangle((0, 0, WIDTH, 220), fill=red)
    _centered(draw, 70, f"{county}矛盾纠纷多元化解", title, "white")
    _centered(draw, 300, "解 纷 码", big, red)
    _centered(draw, 440, place_name, body, "black")
    side = 760
    img.paste(qr_image(content, side), ((WIDTH - side) // 2, 540))
    _centered(draw, 1340, f"{hint} · 直接说说遇到的纠纷", body, "black")
    _centered(draw, 1420, "小事不出村 · 大事不出镇 · 矛盾不上交", small, (90, 90, 90))
    _centered(draw, 1640, footer, small, (120, 120, 120))
    out = io.BytesIO()
    img.save(out, format="PNG", dpi=(150, 150))
    return out.getvalue()


def _centered(draw: ImageDraw.ImageDraw, y: int, text: str, font, fill) -> None:
    left, _, right, _ = draw.textbbox((0, 0), text, font=font)
    draw.text(((WIDTH - (right - left)) // 2, y), text, font=font, fill=fill)
