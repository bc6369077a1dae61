"""OPML import and export: categories become tags, duplicates are skipped, DOCTYPEs refused."""

from __future__ import annotations

import shutil

import pytest

from feeds.config import load_config
from feeds.opml import OpmlError, OpmlFeed, read_opml
from tests.conftest import REPO

READER_EXPORT = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>My subscriptions</title></head>
  <body>
    <outline text="News" title="News">
      <outline text="Europe">
        <outline type="rss" text="DW World" xmlUrl="https://rss.dw.com/rdf/rss-en-world"/>
        <outline type="rss" text="Le Monde" title="Le Monde" xmlUrl="https://lemonde.example/rss"
                 htmlUrl="https://lemonde.example/"/>
      </outline>
      <outline type="rss" title="World" xmlUrl="https://world-one.example/rss"
               category="/Daily,/Wires/Global"/>
      <outline type="rss" text="World" xmlUrl="https://world-two.example/feed"/>
    </outline>
    <outline type="rss" text="Le Monde again" xmlUrl="HTTPS://LeMonde.example/rss"/>
    <outline type="rss" text="Gopher" xmlUrl="gopher://old.example/feed"/>
    <outline type="rss" text="Caf\xc3\xa9 \xe2\x80\xaenews" xmlUrl="https://cafe.example/rss"/>
    <outline type="rss" xmlUrl="https://untitled.example/rss"/>
  </body>
</opml>
"""


def test_read_opml_turns_categories_into_tags():
    feeds = read_opml(READER_EXPORT)
    assert feeds == [
        OpmlFeed("DW World", "https://rss.dw.com/rdf/rss-en-world", ("News", "Europe")),
        OpmlFeed("Le Monde", "https://lemonde.example/rss", ("News", "Europe")),
        OpmlFeed("World", "https://world-one.example/rss", ("News", "Daily", "Wires", "Global")),
        OpmlFeed("World", "https://world-two.example/feed", ("News",)),
        OpmlFeed("Le Monde again", "HTTPS://LeMonde.example/rss", ()),
        OpmlFeed("Gopher", "gopher://old.example/feed", ()),
        OpmlFeed("Café news", "https://cafe.example/rss", ()),  # no bidi override
        OpmlFeed("https://untitled.example/rss", "https://untitled.example/rss", ()),
    ]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><opml><body>&lol2;</body></opml>',
            "has a DOCTYPE, which OPML never needs; refused",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE opml SYSTEM "http://evil.example/x.dtd">'
            b"<opml><body/></opml>",
            "has a DOCTYPE",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY f SYSTEM "file:///etc/passwd">]>'
            b"<opml><body><outline text='&f;' xmlUrl='https://x.example/'/></body></opml>",
            "has a DOCTYPE",
        ),
        (b"<rss><channel/></rss>", "not an OPML file (its root is <rss>)"),
        (b"<opml><body><outline></body></opml>", "not well-formed XML: mismatched tag"),
        (b"", "not well-formed XML: no element found"),
    ],
)
def test_unsafe_or_broken_documents_are_refused(document, message):
    with pytest.raises(
        OpmlError, match="^subs.opml: " + message.replace("(", r"\(").replace(")", r"\)")
    ):
        read_opml(document, "subs.opml")


@pytest.fixture
def shipped(tmp_path):
    path = tmp_path / "feeds.yaml"
    shutil.copyfile(REPO / "feeds.yaml", path)
    return path


def test_import_opml_appends_new_feeds_and_reports_the_rest(cli, shipped, tmp_path):
    opml = tmp_path / "subs.opml"
    opml.write_bytes(READER_EXPORT)
    before = shipped.read_text()
    result = cli("--config", shipped, "import-opml", opml)
    assert result.status == 0, result.err
    assert result.out.splitlines() == [
        "skipped 'DW World' (https://rss.dw.com/rdf/rss-en-world): already in feeds.yaml as 'DW World'",
        "skipped 'Le Monde again' (HTTPS://LeMonde.example/rss): listed twice",
        "skipped 'Gopher' (gopher://old.example/feed): not an http(s) or file:// URL",
        f"imported 5 feeds into {shipped}, skipped 3",
    ]
    after = shipped.read_text()
    assert after.startswith(before.split("\n\n# Named term groups")[0])  # all kept, in order
    assert after.endswith(before[before.index("\n\n# Named term groups") :])
    new = {f.name: f for f in load_config(shipped).feeds[-5:]}
    assert list(new) == [
        "Le Monde",
        "World",
        "World (world-two.example)",
        "Café news",
        "https://untitled.example/rss",
    ]
    assert new["World"].tags == ("News", "Daily", "Wires", "Global")
    assert new["Le Monde"].tags == ("News", "Europe")
    again = cli("--config", shipped, "import-opml", opml)
    assert again.out.endswith(f"imported 0 feeds into {shipped}, skipped 8\n")
    assert shipped.read_text() == after


def test_export_then_import_gives_the_same_feeds(cli, shipped, tmp_path):
    exported = cli("--config", shipped, "export-opml")
    assert exported.status == 0 and exported.out.startswith(
        "<?xml version='1.0' encoding='utf-8'?>"
    )
    target = tmp_path / "out.opml"
    assert cli("--config", shipped, "export-opml", target).out == f"wrote {target}\n"
    assert target.read_text().split("<body>")[1] == exported.out.split("<body>")[1]
    empty = tmp_path / "empty.yaml"
    empty.write_text("# imported from OPML\nfeeds:\n")
    result = cli("--config", empty, "import-opml", target)
    assert result.status == 0 and result.out == f"imported 17 feeds into {empty}, skipped 0\n"

    def entries(path):
        return sorted((f.name, f.url, f.tags) for f in load_config(path).feeds)

    assert entries(empty) == entries(shipped)
    assert empty.read_text().startswith(
        "# imported from OPML\nfeeds:\n  - name: BBC World\n"
        "    url: https://feeds.bbci.co.uk/news/world/rss.xml\n    tags: [world, uk]\n"
    )


def test_import_opml_mistakes_exit_2_and_write_nothing(cli, shipped, tmp_path):
    before = shipped.read_text()
    bomb = tmp_path / "bomb.opml"
    bomb.write_bytes(b'<!DOCTYPE x [<!ENTITY a "aaaa">]><opml><body>&a;</body></opml>')
    result = cli("--config", shipped, "import-opml", bomb)
    assert result.status == 2 and result.err == (
        f"wirewatch: {bomb}: has a DOCTYPE, which OPML never needs; refused\n"
    )
    missing = cli("--config", shipped, "import-opml", tmp_path / "nope.opml")
    assert missing.status == 2 and "nope.opml: No such file or directory" in missing.err
    assert shipped.read_text() == before
