"""An instructor in a real browser on a 360 px wide phone: she attaches a video, previews the lesson as a learner in
Spanish and in English (in the phone frame and on the phone itself), reads the publish summary and publishes."""

from __future__ import annotations

import re

from tests.browser.conftest import shot, sign_in, sql
from tests.browser.test_journeys import CODE, live, people  # noqa: F401 (fixtures)
from tests.integration.test_media import MP4, VTT_ES

SMALL_PHONE = {"width": 360, "height": 740}


def test_preview_in_both_languages_on_a_small_phone_then_publish_from_the_summary(in_browser, live):  # noqa: F811
    in_browser(lambda chromium: preview_and_publish(chromium, live))


def preview_and_publish(chromium, live) -> None:  # noqa: F811
    base, settings = live["base"], live["settings"]
    context = chromium.new_context(viewport=SMALL_PHONE)
    page = context.new_page()
    sign_in(page, base, "maria@example.org")
    for name, mime, body, kind in (
        ("handwash.mp4", "video/mp4", MP4, "video"),
        ("handwash.es.vtt", "text/vtt", VTT_ES.encode(), "captions"),
    ):
        page.goto(f"{base}/author/{CODE}/media")
        page.set_input_files("#media-file", files=[{"name": name, "mimeType": mime, "buffer": body}])
        if kind == "captions":
            page.select_option("#media-kind", "captions")
            page.select_option("#media-video", label="handwash.mp4")
            page.fill("#media-language", "es")
        page.click("form[data-media-upload] button[type=submit]")
        page.wait_for_url(re.compile(r"done="))
    page.goto(f"{base}/author/{CODE}/activities/handwashing")
    page.get_by_label(re.compile("handwash.mp4")).check()
    page.click(f"form[action='/author/{CODE}/activities/handwashing'] button[type=submit]")
    page.wait_for_load_state()

    # the phone frame on the instructor's desktop: 360 px wide, Spanish first, then the switch to English
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/author/{CODE}")
    page.get_by_role("link", name="Preview on a phone").first.click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Español").click()
    page.wait_for_url(re.compile(r"lang=es"))
    frame = page.frame_locator("iframe[name=phone]")
    frame.locator("h1", has_text="Lavado de manos").wait_for()
    assert frame.locator("video track[srclang=es]").count() == 1
    assert frame.locator("html[lang=es]").count() == 1 and frame.get_by_text("Siguiente").count() >= 1
    box = page.locator("iframe[name=phone]").bounding_box()
    assert box and round(box["width"]) == 360
    shot(page, "instructor-preview-frame-es")
    page.get_by_role("link", name="English").click()
    page.wait_for_url(re.compile(r"lang=en"))
    frame.locator("h1", has_text="Handwashing").wait_for()
    assert frame.locator("video").count() == 1 and frame.locator("html[lang=en]").count() == 1

    # the preview page itself on a 360 px phone: nothing wider than the screen, the video fits
    page.set_viewport_size(SMALL_PHONE)
    for lang, title in (("es", "Lavado de manos"), ("en", "Handwashing")):
        page.goto(f"{base}/author/{CODE}/preview/handwashing?lang={lang}")
        assert page.locator("h1").inner_text() == title
        video = page.locator("video").bounding_box()
        assert video and video["width"] <= 360
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        shot(page, f"instructor-preview-phone-{lang}")

    # the summary says what publishing does, then publishes exactly that
    page.goto(f"{base}/author/{CODE}")
    page.get_by_role("link", name="Publish a new version").first.click()
    page.wait_for_url(re.compile(r"/publish$"))
    lesson_row = page.locator("tr[data-activity=handwashing]")
    assert lesson_row.get_attribute("data-change") == "changed" and "media" in lesson_row.inner_text()
    assert "text" not in lesson_row.inner_text()  # the form trims the lesson file's last newline: no change to read
    assert "Too short" in page.locator("tr[data-body=IACET]").inner_text()  # 15 minutes: below IACET's minimum hour
    shot(page, "instructor-publish-summary")
    page.get_by_role("button", name="Publish version 2").click()
    page.wait_for_url(re.compile(r"published=2"))
    assert (
        sql(
            settings,
            "SELECT count(*) FROM version_media m JOIN course_versions v ON v.id = m.version_id WHERE v.version = 2",
        )
        >= 1
    )
    context.close()
