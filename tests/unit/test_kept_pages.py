"""Pages kept whole and filled per request (lms.web): each caller gets their own token and parts, text intact."""

from __future__ import annotations

import pytest

from lms.web import _CSRF_SLOT, KeptPage, slot


def test_each_request_gets_its_own_token_and_parts_with_the_text_around_them_intact():
    kept = KeptPage.of(f'<form><input value="{_CSRF_SLOT}"></form><h1>Lección · Higiene → siguiente ✓</h1>'
                       f'{slot("media")}<p>Práctica</p>{slot("learning")}<footer>{_CSRF_SLOT}</footer>')
    ana = kept.fill({"csrf-token": b"tok-ana", "learning": "<p>Hecho ✓</p>".encode(), "media": b"<video></video>"})
    luis = kept.fill({"csrf-token": b"tok-luis", "learning": b"<p>Inscribirse</p>"})
    assert ana.decode() == ('<form><input value="tok-ana"></form><h1>Lección · Higiene → siguiente ✓</h1>'
                            '<video></video><p>Práctica</p><p>Hecho ✓</p><footer>tok-ana</footer>')
    assert luis.decode() == ('<form><input value="tok-luis"></form><h1>Lección · Higiene → siguiente ✓</h1>'
                             '<p>Práctica</p><p>Inscribirse</p><footer>tok-luis</footer>')


def test_only_known_slots_are_cut_out_and_unknown_names_are_refused():
    text = "<pre>\x1bnot-a-slot\x1b and \x1b alone</pre>"
    assert KeptPage.of(text).fill({"csrf-token": b"t"}).decode() == text
    with pytest.raises(ValueError, match="not one of the slots"):
        slot("sidebar")
