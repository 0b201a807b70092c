from oglabs.core.templatetags.oglabs_format import structured_text


def test_structured_text_turns_marked_paragraphs_into_headings_and_escapes():
    text = "Einleitung <b>fett</b>\nzweite Zeile\n\n## 1. Warum?\n\nAntwort & mehr"
    assert structured_text(text) == (
        "<p>Einleitung &lt;b&gt;fett&lt;/b&gt;<br>zweite Zeile</p>\n<h2>1. Warum?</h2>\n<p>Antwort &amp; mehr</p>"
    )


def test_structured_text_of_nothing_is_empty():
    assert structured_text(None) == ""
