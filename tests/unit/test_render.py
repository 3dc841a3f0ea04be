from lms.catalog.render import render_markdown


def test_lesson_markdown_keeps_structure():
    html = render_markdown("# Title\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    assert "<h2>Title</h2>" in html and "<li>one</li>" in html and "<table>" in html


def test_scripts_handlers_and_javascript_links_never_survive():
    html = render_markdown(
        '<script>alert(1)</script>\n\n<p onclick="steal()">Hi</p>\n\n<img src=x onerror=alert(1)>\n\n'
        '[click](javascript:alert(1))\n\n<a href="javascript:alert(2)">x</a>\n\n[ok](https://www.cdc.gov/oralhealth/)'
    )
    assert "<script" not in html and "alert(1)</script>" not in html
    assert "onclick" not in html and "onerror" not in html
    assert 'href="javascript' not in html
    assert 'href="https://www.cdc.gov/oralhealth/"' in html and 'rel="noopener noreferrer"' in html
