"""The cache of versioned figures (core/cache.py), as the embedded set-up (no REDIS_URL) has it."""

from django.conf import settings
from django.core.cache import caches
from django.test import override_settings

from core.cache import bump, cached_figures


def test_the_embedded_cache_keeps_a_demos_worth_of_figures(db):
    """Without Redis the figures stay in the process's memory: a thousand of them (the demo's pages
    cache more than Django's default of 300 entries) are all still there, and a bump still makes the
    next read compute afresh."""
    computed = []

    def figure(n):
        return cached_figures(f"figure:{n}", versions=["registry"], compute=lambda: computed.append(n) or n)

    with override_settings(CACHES={"default": settings.EMBEDDED_CACHE}):
        caches["default"].clear()
        try:
            assert [figure(n) for n in range(1000)] == list(range(1000))
            assert [figure(n) for n in range(1000)] == list(range(1000))
            assert computed == list(range(1000)), "the second reading computed nothing"
            bump("registry")
            assert figure(0) == 0 and computed[-1] == 0 and len(computed) == 1001
        finally:
            caches["default"].clear()


def test_bumps_deferred_bump_each_name_once_when_the_block_ends(db, django_capture_on_commit_callbacks):
    """Inside the block a save's bump changes nothing; at its end each name bumped is bumped once, as
    any bump: its version moves when the transaction commits, however many rows bumped it."""
    from core.cache import bumps_deferred, dirty, versions_stamp

    names = ["registry", "month:2024-02", "reports"]
    before = versions_stamp(names)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with bumps_deferred():
            for _ in range(50):
                bump("registry")
                bump("month:2024-02")
            assert not dirty(names), "nothing bumped inside the block"
        assert dirty(["registry"]) and dirty(["month:2024-02"]) and not dirty(["reports"])
        assert versions_stamp(names) == before, "the versions move at the commit"
    assert len(callbacks) == 2
    after = dict(part.split("=") for part in versions_stamp(names).split(","))
    start = dict(part.split("=") for part in before.split(","))
    assert int(after["registry"]) == int(start["registry"]) + 1
    assert int(after["month:2024-02"]) == int(start["month:2024-02"]) + 1
    assert after["reports"] == start["reports"]


def test_a_transaction_reads_what_it_changed_afresh_and_moves_each_version_once_at_its_commit(
    db, django_capture_on_commit_callbacks
):
    """Before its commit the changing transaction computes the figures of what it changed each time and
    keeps none (others still read the cached ones); a savepoint rolled back leaves its names clean; the
    commit moves each version once, however many rows changed."""
    from django.db import transaction

    from core.cache import dirty, versions_stamp

    computed = []

    def figure():
        return cached_figures(
            "dirty-test", versions=["registry"], compute=lambda: computed.append(1) or len(computed)
        )

    assert figure() == 1 and figure() == 1, "kept while nothing changed"
    before = versions_stamp(["registry"])

    class Undone(Exception):
        pass

    try:
        with transaction.atomic():
            bump("registry")
            assert dirty(["registry"])
            assert figure() == 2 and figure() == 3, "computed afresh each time, not kept"
            raise Undone
    except Undone:
        pass
    assert not dirty(["registry"]), "the savepoint's change was rolled back"
    assert figure() == 1, "the figure kept before the change is read again"

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for _ in range(20):
            bump("registry")
        assert versions_stamp(["registry"]) == before
        assert figure() == 4 and len(computed) == 4
    assert len(callbacks) == 1, "one bump at the commit, whatever the number of changes"
    assert int(versions_stamp(["registry"]).split("=")[1]) == int(before.split("=")[1]) + 1
