"""feeds add / feeds remove: feeds.yaml keeps every comment, its order and its layout."""

from __future__ import annotations

import shutil
from datetime import timedelta

import pytest

from feeds.config import load_config
from feeds.config_edit import NewFeed, add_feeds, remove_feed, same_location
from feeds.errors import ConfigError
from tests.conftest import REAL_FEEDS, REPO

BBC = REAL_FEEDS / "bbc-news_2024-10-23.xml"

BLOCK = """\
# My feeds
feeds:
# Europe
- name: A   # the first
  url: https://a.example/feed
  # a note inside A

# Section B
- name: B
  url: https://b.example/feed
  tags: [x]
# Section C
- name: C
  url: https://c.example/feed  # eol C

# What I follow
storylines:
  - {slug: b-only, title: B only, match: war, feeds: [B]}
"""


@pytest.fixture
def shipped(tmp_path):
    path = tmp_path / "feeds.yaml"
    shutil.copyfile(REPO / "feeds.yaml", path)
    return path


def lines_added(before: str, after: str) -> list[str]:
    old = before.splitlines()
    new = after.splitlines()
    for line in old:
        new.remove(line)  # raises if a line of the old file went missing
    return new


def test_add_to_the_shipped_config_appends_one_line_in_its_style(shipped):
    before = shipped.read_text()
    config = add_feeds(shipped, [NewFeed("Reuters: World", "https://r.example/w?a=1&b=2", "10m")])
    after = shipped.read_text()
    assert lines_added(before, after) == [
        "  - {name: 'Reuters: World', url: https://r.example/w?a=1&b=2, interval: 10m}"
    ]
    # Right after the last feed, before the blank line and the terms' comment.
    assert after.index("Reuters") < after.index("# Named term groups")
    assert after.index("NK News") < after.index("Reuters")
    new = config.feeds[-1]
    assert (new.name, new.url, new.interval) == (
        "Reuters: World",
        "https://r.example/w?a=1&b=2",
        timedelta(minutes=10),
    )
    assert config == load_config(shipped)


def test_add_to_a_block_style_list(tmp_path):
    path = tmp_path / "feeds.yaml"
    path.write_text(BLOCK)
    add_feeds(path, [NewFeed("D", "https://d.example/feed", tags=("x", "y z"))])
    text = path.read_text()
    assert text == BLOCK.replace(
        "  url: https://c.example/feed  # eol C\n",
        "  url: https://c.example/feed  # eol C\n"
        "- name: D\n"
        "  url: https://d.example/feed\n"
        "  tags: [x, y z]\n",
    )
    assert [f.name for f in load_config(path).feeds] == ["A", "B", "C", "D"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("feeds:\n", "feeds:\n  - name: N\n    url: https://n.example/\n"),
        ("feeds:  # none yet\nterms: {}\n", None),
        ("feeds: []\n", None),
        ("feeds: [{name: A, url: 'https://a.example/'}]\n", None),
        ("feeds:\r\n  - {name: A, url: https://a.example/}\r\n", None),
        ("feeds:\n  -\n    name: A\n    url: https://a.example/\n", None),
        ("feeds:\n  - {name: A, url: https://a.example/}", None),  # no final newline
    ],
)
def test_add_to_unusual_files(tmp_path, text, expected):
    path = tmp_path / "feeds.yaml"
    path.write_bytes(text.encode())
    config = add_feeds(path, [NewFeed("N", "https://n.example/")])
    assert config.feeds[-1].name == "N"
    assert [f.name for f in load_config(path).feeds] == [*(["A"] if "A" in text else []), "N"]
    if expected:
        assert path.read_text() == expected
    if "\r\n" in text:
        assert path.read_bytes().count(b"\r\n") == path.read_bytes().count(b"\n")


def test_remove_keeps_comments_around_the_entry(shipped, tmp_path):
    before = shipped.read_text()
    remove_feed(shipped, "The Moscow Times")
    after = shipped.read_text()
    assert after == before.replace(
        '  - {name: The Moscow Times, url: "https://www.themoscowtimes.com/rss/news", '
        "tags: [russia]}\n",
        "",
    )
    assert "  # Russia and Ukraine\n  - {name: Meduza" in after  # the heading stays
    remove_feed(shipped, "NK News")  # the last one
    assert load_config(shipped).feeds[-1].name == "Yonhap"
    assert "\n\n# Named term groups" in shipped.read_text()

    block = tmp_path / "block.yaml"
    block.write_text(BLOCK.replace(", feeds: [B]", ""))
    remove_feed(block, "A")
    text = block.read_text()
    assert "name: A" not in text and "the first" not in text
    assert "# Europe\n" in text and "# Section B\n- name: B" in text
    assert "# a note inside A" in text  # after A's last line: it may be about what follows
    remove_feed(block, "C")
    assert text.replace("- name: C\n  url: https://c.example/feed  # eol C\n", "") == (
        block.read_text()
    )


def test_remove_refuses_what_would_break_the_file(tmp_path):
    path = tmp_path / "feeds.yaml"
    path.write_text(BLOCK)
    with pytest.raises(ConfigError, match="storyline 'b-only' is limited to 'B'; edit it first"):
        remove_feed(path, "B")
    with pytest.raises(ConfigError, match=r"no feed named 'Z' \(known: A, B, C\)"):
        remove_feed(path, "Z")
    assert path.read_text() == BLOCK


def test_add_refuses_duplicates_and_bad_values(tmp_path):
    path = tmp_path / "feeds.yaml"
    path.write_text(BLOCK)
    with pytest.raises(ConfigError, match="duplicate feed name 'A'"):
        add_feeds(path, [NewFeed("A", "https://z.example/")])
    with pytest.raises(ConfigError, match="duplicate feed URL"):
        add_feeds(path, [NewFeed("Z", "https://a.example/feed")])
    with pytest.raises(ConfigError, match="bad interval"):
        add_feeds(path, [NewFeed("Z", "https://z.example/", interval="soon")])
    assert path.read_text() == BLOCK


def test_same_location():
    assert same_location("HTTPS://Example.org:443/feed#top", "https://example.org/feed")
    assert same_location("http://example.org", "http://example.org:80/")
    assert not same_location("https://example.org/feed", "https://example.org/feed2")
    assert not same_location("http://example.org:8080/", "http://example.org/")


# The commands ---------------------------------------------------------------------------


@pytest.fixture
def edit(cli, shipped, db_path):
    return lambda *args: cli("--config", shipped, "--db", db_path, "feeds", *args)


def test_feeds_add_fetches_the_feed_and_takes_its_title(edit, shipped, feed_server):
    url = feed_server.feed("/bbc", BBC)
    result = edit("add", url, "--interval", "10m", "--tag", "uk")
    assert result.status == 0, result.err
    assert result.out.startswith("added 'BBC News' (42 items) to ")
    assert shipped.read_text().endswith(
        f"  - {{name: BBC News, url: {url}, interval: 10m, tags: [uk]}}\n\n"
        + (REPO / "feeds.yaml").read_text().split("NK News", 1)[1].split("\n", 1)[1][1:]
    )
    feeds = load_config(shipped).feeds
    assert (feeds[-1].name, feeds[-1].tags) == ("BBC News", ("uk",))
    # The same feed again, under any name, is refused:
    again = edit("add", url)
    assert again.status == 2 and "feeds.yaml already has this feed: 'BBC News'" in again.err
    named = edit("add", url, "--name", "Another")
    assert named.status == 2 and "already has this feed: 'BBC News'" in named.err
    # A different feed with the same title needs a name of its own:
    other = feed_server.feed("/bbc2", BBC)
    clash = edit("add", other)
    assert clash.status == 2 and "a feed named 'BBC News' exists already" in clash.err
    assert edit("add", other, "--name", "BBC again").status == 0
    assert len(feed_server.hits("/bbc")) == 1  # a duplicate is refused before any fetch


def test_feeds_add_refuses_what_is_not_a_feed(edit, shipped, feed_server):
    before = shipped.read_text()
    page = edit("add", feed_server.add("/page", body=b"<html><p>hello</p></html>"))
    assert page.status == 2 and "not an RSS or Atom feed" in page.err
    missing = edit("add", feed_server.add("/404", status=404))
    assert missing.status == 2 and missing.err.endswith("/404: HTTP 404 Not Found\n")
    interval = edit("add", feed_server.feed("/ok", BBC), "--interval", "often")
    assert interval.status == 2 and "bad interval 'often'" in interval.err
    assert shipped.read_text() == before
    assert not feed_server.hits("/ok")


def test_feeds_add_stores_a_permanent_move_and_local_files(edit, shipped, feed_server, tmp_path):
    feed_server.feed("/new", REAL_FEEDS / "wsj-world_2024-10-22.xml")
    result = edit("add", feed_server.add("/old", status=301, location="/new"))
    assert result.status == 0
    assert f"moved for good to {feed_server.url('/new')}" in result.out
    assert load_config(shipped).feeds[-1].url == feed_server.url("/new")
    local = tmp_path / "archive" / "mt.xml"
    local.parent.mkdir()
    shutil.copyfile(REAL_FEEDS / "themoscowtimes-news_2024-10-22.xml", local)
    result = edit("add", "archive/mt.xml")
    assert result.status == 0, result.err
    last = load_config(shipped).feeds[-1]
    assert (last.url, last.path) == ("archive/mt.xml", local)


def test_feeds_remove(edit, shipped):
    result = edit("remove", "TASS")
    assert result.status == 0 and result.out.startswith("removed 'TASS' from ")
    assert "TASS" not in [f.name for f in load_config(shipped).feeds]
    assert "  # Russia and Ukraine\n" in shipped.read_text()
    missing = edit("remove", "TASS")
    assert missing.status == 2 and "no feed named 'TASS'" in missing.err
