"""Hours and amounts on the programs' pages are written as the reader's language writes numbers."""

from lms.programs.common import page_helpers


def test_hours_and_amounts_follow_the_reader_s_language():
    english, spanish, vietnamese = page_helpers("en"), page_helpers("es"), page_helpers("vi")
    assert (english["hours"](450), spanish["hours"](450), vietnamese["hours"](450)) == ("7.5", "7,5", "7,5")
    assert english["hours"](120_000) == "2,000" and vietnamese["hours"](120_000) == "2.000"
    assert (english["dollars"](240_050), vietnamese["dollars"](240_050)) == ("2,400.50", "2.400,50")
    assert english["dollars"](None) == ""
