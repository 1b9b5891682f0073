"""Two operators on one server and a power cut in the middle of a write: nothing is lost.

Real processes (multiprocessing, spawn) write through the store; one is killed with SIGKILL
again and again while it commits pages to a 5,000-order store.
"""

import multiprocessing
import os
import random
import signal
import time
from datetime import UTC, datetime

from glstui.domain.clock import FixedClock
from glstui.domain.integration import Integration
from glstui.domain.run import ImportRun
from glstui.store import Store
from glstui.store.sample import make_order

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
BATCH = 20
KILLS = 20


def _write_runs(data_dir, prefix, count, start_event):
    store = Store.open(data_dir, FixedClock(NOW))
    start_event.wait(30)
    for i in range(count):
        with store.write() as tx:
            tx.runs.put(ImportRun(id=f"{prefix}-{i}", user=prefix))


def test_two_processes_writing_500_records_each_end_with_1000(tmp_path):
    ctx = multiprocessing.get_context("spawn")
    Store.open(tmp_path, FixedClock(NOW))
    go = ctx.Event()
    workers = [ctx.Process(target=_write_runs, args=(tmp_path, p, 500, go)) for p in "ab"]
    for w in workers:
        w.start()
    go.set()
    for w in workers:
        w.join(120)
        assert w.exitcode == 0
    with Store.open(tmp_path, FixedClock(NOW)).read() as view:
        ids = {r.id for r in view.runs.all()}
    assert len(ids) == 1000
    assert ids == {f"{p}-{i}" for p in "ab" for i in range(500)}


def _batch_orders(batch):
    return [make_order(100_000 + batch * BATCH + i, integration_id="kill") for i in range(BATCH)]


def _commit_batches(data_dir, first_batch, conn):
    """Commit batch after batch until killed; report each batch number once it is stored."""
    store = Store.open(data_dir, FixedClock(NOW))
    batch = first_batch
    while True:
        with store.write() as tx:
            tx.orders.put_many(_batch_orders(batch))
            changed = make_order(batch % 5000)  # rewrite an old order too: the file changes length
            changed.hold_reason = "x" * (batch % 50)
            tx.orders.put(changed)
            counter = tx.integrations.get("counter")
            counter.last_import_new = batch
            tx.integrations.put(counter)
        conn.send(batch)
        batch += 1


def test_sigkill_during_writes_never_loses_a_committed_page(tmp_path):
    store = Store.open(tmp_path, FixedClock(NOW))
    with store.write() as tx:
        tx.orders.put_many(make_order(i) for i in range(5000))
        tx.integrations.put(Integration(shop_name="counter", id="counter", last_import_new=-1))

    ctx = multiprocessing.get_context("spawn")
    rng = random.Random(7)
    committed: set[int] = set()
    next_batch = 0
    torn = 0  # kills that hit a commit while its temp file existed
    for _ in range(KILLS):
        reader, writer = ctx.Pipe(duplex=False)
        child = ctx.Process(target=_commit_batches, args=(tmp_path, next_batch, writer))
        child.start()
        writer.close()
        assert reader.poll(60), "the writer never committed a batch"
        committed.add(reader.recv())
        time.sleep(rng.uniform(0.0, 0.25))
        os.kill(child.pid, signal.SIGKILL)
        child.join(30)
        assert child.exitcode == -signal.SIGKILL
        while reader.poll():
            try:
                committed.add(reader.recv())
            except (EOFError, OSError):
                break
        reader.close()
        torn += any(p.endswith(".tmp") for p in os.listdir(tmp_path))

        # a fresh process opening the store: the file parses and holds every reported batch
        with Store.open(tmp_path, FixedClock(NOW)).read() as view:
            stored = set(view.orders.keys())
            last = view.integrations.get("counter").last_import_new
        assert len([k for k in stored if not k.startswith("kill:")]) == 5000
        present = {b for b in range(last + 1) if _batch_orders(b)[0].key in stored}
        assert committed <= present
        assert present == set(range(last + 1))  # batches are whole or absent, never half
        for b in present:
            assert all(o.key in stored for o in _batch_orders(b))
        assert len(stored) == 5000 + BATCH * (last + 1)
        next_batch = last + 1

    assert len(committed) >= KILLS
    print(f"{KILLS} kills, {torn} during a commit, {len(committed)} batches committed")
    leftovers = [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]
    assert leftovers == []  # killed writers' temp files were cleaned at the next open
