"""Kept clinic views: one render for many admins asking at once, a minute's life, and a failed render not kept."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from lms.dashboard_cache import DashboardCache, clinic_changed

CLINIC, OTHER = uuid.uuid4(), uuid.uuid4()


async def test_admins_asking_at_once_for_a_missing_view_wait_for_one_render():
    cache, renders = DashboardCache(), []

    async def make() -> tuple[str, list[str]]:
        renders.append(1)
        await asyncio.sleep(0.05)
        return "<html>", ["w1"]

    answers = await asyncio.gather(*(cache.view(CLINIC, "credit", make) for _ in range(20)))
    assert len(renders) == 1
    assert [made for _, made in answers].count(True) == 1 and {kept.page for kept, _ in answers} == {"<html>"}


async def test_a_view_lives_a_minute_and_a_change_here_drops_only_its_clinic():
    cache = DashboardCache(seconds=60)
    cache.keep(CLINIC, "credit", "a", [], now=100.0)
    cache.keep(OTHER, "credit", "b", [], now=100.0)
    assert cache.get(CLINIC, "credit", now=159.0).page == "a"
    assert cache.get(CLINIC, "credit", now=160.0) is None
    cache.keep(CLINIC, "credit", "a", [])
    clinic_changed(CLINIC)  # what the credit service calls after recording a credential
    assert cache.get(CLINIC, "credit") is None and cache.get(OTHER, "credit", now=101.0).page == "b"


async def test_when_the_render_fails_the_waiting_admins_render_it_themselves():
    cache, calls = DashboardCache(), []

    async def make() -> tuple[str, list[str]]:
        calls.append(1)
        await asyncio.sleep(0.02)
        if len(calls) == 1:
            raise ConnectionError("database went away")
        return "<html>", []

    first = asyncio.create_task(cache.view(CLINIC, "report", make))
    await asyncio.sleep(0)
    waiting = asyncio.create_task(cache.view(CLINIC, "report", make))
    with pytest.raises(ConnectionError):
        await first
    kept, made = await waiting
    assert kept.page == "<html>" and made is True and len(calls) == 2


async def test_while_an_old_view_is_made_again_the_others_get_the_old_one_without_waiting():
    cache = DashboardCache(seconds=0.05)
    release = asyncio.Event()

    async def make_first() -> tuple[str, list[str]]:
        return "old", []

    async def make_slowly() -> tuple[str, list[str]]:
        await release.wait()
        return "new", []

    await cache.view(CLINIC, "report", make_first)
    await asyncio.sleep(0.06)  # the view is now old
    maker = asyncio.create_task(cache.view(CLINIC, "report", make_slowly))
    await asyncio.sleep(0)
    kept, made = await asyncio.wait_for(cache.view(CLINIC, "report", make_slowly), timeout=1)
    assert (kept.page, made) == ("old", False)
    release.set()
    assert (await maker)[0].page == "new"


async def test_a_view_being_made_when_its_clinic_changes_is_shown_but_not_kept():
    cache = DashboardCache()

    async def make_while_a_credential_is_recorded() -> tuple[str, list[str]]:
        clinic_changed(CLINIC)  # committed while this view was reading the clinic's figures
        cache.get(OTHER, "credit")  # meanwhile another admin opens another clinic's page
        return "<html>figures from before</html>", ["w1"]

    view, made = await cache.view(CLINIC, "credit", make_while_a_credential_is_recorded)
    assert made and view.page == "<html>figures from before</html>"
    assert cache.get(CLINIC, "credit") is None  # the next admin gets a fresh read

    async def make() -> tuple[str, list[str]]:
        return "<html>current</html>", ["w1"]

    await cache.view(CLINIC, "credit", make)
    assert cache.get(CLINIC, "credit").page == "<html>current</html>"  # a view made after the change is kept
