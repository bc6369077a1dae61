from __future__ import annotations

import pytest

from feeds.text import clean_text, html_to_text, strip_controls


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("<p>One</p><p>two</p>", "One two"),
        ("A <b>bold</b> &amp; <i>brave</i> move", "A bold & brave move"),
        ("Kim&#039;s troops", "Kim's troops"),
        ("Kim&amp;#039;s troops", "Kim's troops"),  # escaped twice, as Sky News does
        ("R&amp;D &amp;notation", "R&D &notation"),  # second pass: only complete references
        ("<script>alert(1)</script>Safe<style>p{}</style>", "Safe"),
        ("line<br>break<br/>here", "line break here"),
        ("  \n\t spaced \n\n out  ", "spaced out"),
        ("<img src=x onerror=alert(1)>caption", "caption"),
        ("unclosed <b>tag", "unclosed tag"),
        ("5 < 6 and 7 > 3", "5 < 6 and 7 > 3"),
        ("", ""),
        (None, ""),
    ],
)
def test_html_is_reduced_to_plain_text(markup, text):
    assert html_to_text(markup) == text


def test_terminal_escapes_and_controls_never_survive():
    hostile = "Red\x1b[31m alert\x07 \x9b2J\u202eevil\u2066 \x00end"
    cleaned = clean_text(hostile)
    assert not any(ch in cleaned for ch in "\x1b\x07\x9b\u202e\u2066\x00")
    assert cleaned == "Red[31m alert 2Jevil end"
    # An entity that decodes to ESC is removed after decoding, too.
    assert "\x1b" not in html_to_text("a&#27;[2Jb &#x1b;c")


def test_emoji_sequences_and_accents_are_kept():
    assert strip_controls("Café 👩\u200d🚀") == "Café 👩\u200d🚀"
