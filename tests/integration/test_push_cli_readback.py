"""`glstui push` tells the operator what the read-back found and what it held back."""

from __future__ import annotations

import dataclasses

from test_verified_tracking import _labelled_world

from glstui.cli.push import run_push


async def test_push_prints_the_read_back_and_what_to_do_with_a_dropped_confirmation(
    make_sandbox, tmp_path, capsys
):
    sandbox = make_sandbox(seed=5, orders=40, time_scale=60.0, arrivals_per_hour=0)
    world, _keys = await _labelled_world(sandbox, tmp_path / "data", 8)
    sandbox.amazon.drop_confirmations(0.4)

    assert await _run(world) == 0  # every one answered 204: nothing waits to be sent
    first = capsys.readouterr().out
    dropped = sandbox.amazon.dropped_confirmations
    sent = len(world.outbox())
    assert f"Read back from Amazon: {sent - dropped} verified, 0 not listed." in first

    world.clock.advance(16 * 60)  # still not listed a quarter of an hour later
    assert await _run(world) == 1  # the operator must look at them
    later = capsys.readouterr().out
    assert f"Read back from Amazon: 0 verified, {dropped} not listed." in later
    assert "Check the orders not listed in Seller Central" in later


async def test_push_says_why_test_label_tracking_is_held_from_a_live_shop(
    make_sandbox, tmp_path, capsys
):
    sandbox = make_sandbox(seed=5, orders=40, time_scale=60.0, arrivals_per_hour=0)
    world, keys = await _labelled_world(sandbox, tmp_path / "data", 3)
    world.ctx.endpoints = dataclasses.replace(world.ctx.endpoints, is_sandbox=False)

    assert await _run(world) == 1  # held codes wait: not "nothing could run" (2)
    out = capsys.readouterr().out
    assert f"{len(keys)} tracking code(s) of GLS test labels held back" in out
    assert "Switch GLS to live under Keys and make the labels again" in out


async def _run(world) -> int:
    import asyncio

    return await asyncio.to_thread(run_push, world.ctx)
