"""The dispute-code poster sheets: one PNG per village and community of the chosen area, each
the web chat's code for its place; refused while the web chat's address is loopback."""
import io
import zipfile

from PIL import Image

from tests.console.conftest import login


async def test_a_towns_villages_in_one_download(client, ctx):
    await login(client, "med-dx")
    r = await client.get("/console/posters.zip?place=DX")
    assert r.status == 200 and r.headers["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(await r.read())) as zf:
        names = sorted(zf.namelist())
        villages = sorted(c for c in ctx.registry.subtree("DX")
                          if ctx.registry.places[c].level in ("village", "community"))
        assert [n.split("-")[0] for n in names] == villages and len(villages) >= 3
        image = Image.open(io.BytesIO(zf.read(names[0])))
        assert image.format == "PNG" and image.size[1] > image.size[0]       # a portrait poster


async def test_loopback_codes_are_refused_with_the_reason(client, ctx):
    ctx.settings = ctx.settings.replace(public_url="")        # http://127.0.0.1:8080: no phone reaches it
    await login(client, "centre-qs")
    r = await client.get("/console/posters.zip?place=DX")
    assert r.status == 409 and "JIEFEN_PUBLIC_URL" in await r.text()
