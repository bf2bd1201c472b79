"""The parse cache (issue 10): a hit gives exactly what a parse gives; the directory is ours or
ignored; a bad record is a miss; the size is bounded; --no-cache and JOBLEDGER_NO_CACHE bypass
it; `check`'s cached result misses on any change to what it depends on."""

from __future__ import annotations

import os
import random
import stat
import threading
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from helpers import example_copies, mutant_corpus
from hypothesis import given, settings
from hypothesis import strategies as st

from jobledger.ledger import cache
from jobledger.ledger.diagnostics import Position
from jobledger.ledger.loader import FileCache, load_files, walk_files
from jobledger.ledger.memo import Memos
from jobledger.ledger.model import Comment, Declaration, Event, Include, Option
from jobledger.pipeline import check_ledger
from jobledger.records import fields

ROOT = Path(__file__).resolve().parent.parent
AS_OF = date(2026, 3, 15)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache home of this test's own."""
    where = tmp_path / "cache-home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(where))
    monkeypatch.delenv(cache.NO_CACHE_ENV, raising=False)
    return where / "jobledger"


def records(directory: Path, kind: str = "") -> list[Path]:
    return sorted(directory.glob(f"{kind}*{cache.SUFFIX}")) if directory.exists() else []


def corpus(tmp_path: Path) -> list[Path]:
    """Real ledgers, the error cases and mutants of the example (errors of every kind)."""
    pieces = ['"', "|", "#", ";", ":", "\t", "\n", "  ", "2026-02-30", "\u00a0", "é", "\r", "\x00"]
    return mutant_corpus(tmp_path, pieces, seed=10, count=60)


def test_a_hit_gives_the_same_entries_and_diagnostics(home: Path, tmp_path: Path) -> None:
    for path in corpus(tmp_path):
        fresh = load_files([str(path)])  # no cache at all
        first = FileCache(cache.open_cache())
        stored = load_files([str(path)], first)
        second = FileCache(cache.open_cache())
        hit = load_files([str(path)], second)
        assert (first.parsed, second.parsed) == (len(stored.files), 0), path
        for loaded in (stored, hit):
            assert repr(loaded.entries) == repr(fresh.entries), path
            assert loaded.entries == fresh.entries
            assert repr(loaded.diagnostics) == repr(fresh.diagnostics), path
            assert loaded.sources == fresh.sources
    assert records(home, "parse")


def test_the_same_bytes_under_another_name_are_one_record(home: Path, tmp_path: Path) -> None:
    text = (ROOT / "examples" / "blueprint.jobs").read_text("utf-8") + "2026-02-30 applied X\n"
    a, b = tmp_path / "a.jobs", tmp_path / "b.jobs"
    a.write_text(text, encoding="utf-8")
    b.write_text(text, encoding="utf-8")
    load_files([str(a)], FileCache(cache.open_cache()))
    files = FileCache(cache.open_cache())
    hit = load_files([str(b)], files)
    assert files.parsed == 0
    assert repr(hit) == repr(load_files([str(b)]))  # positions name b, not a
    assert {d.position.path for d in hit.diagnostics} == {str(b)}


def test_every_field_of_every_entry_goes_through_the_cache() -> None:
    """A field added to an entry type without the codec would be lost: caught here."""
    where = Position("f.jobs", 7, 3)
    values = {
        int: 5,
        str: "s",
        bool: True,
        "tuple[str, ...]": ("a", "b"),
        "tuple[int, ...]": (4, 9),
        "tuple[tuple[str, str], ...]": (("k", "v"),),
    }
    samples = []
    for kind in (Event, Declaration, Include, Option, Comment):
        kwargs: dict[str, object] = {}
        for number, name in enumerate(fields(kind)):
            annotation = kind.__annotations__[name]
            if name == "position":
                kwargs[name] = where
            elif name == "date":
                kwargs[name] = date(2026, 2, 3)
            elif name == "what":
                kwargs[name] = "stage"
            elif "tuple" in annotation:
                kwargs[name] = values[annotation.replace(" | None", "")]
            elif annotation.startswith("int"):
                kwargs[name] = 100 + number
            elif annotation.startswith("bool"):
                kwargs[name] = True
            else:
                kwargs[name] = f"{name}-{number}"
        samples.append(kind(**kwargs))  # type: ignore[arg-type]
    encoded = cache.encode_entries(samples, "f.jobs")
    assert encoded is not None
    assert cache.decode_entries(encoded, "f.jobs") == tuple(samples)
    assert cache.encode_entries(samples, "other.jobs") is None  # never under another path


def test_the_directory_is_created_private(home: Path) -> None:
    disk = cache.open_cache()
    assert disk is not None
    assert stat.S_IMODE(home.stat().st_mode) == 0o700


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o702, 0o720])
def test_a_directory_others_may_write_to_is_ignored(home: Path, tmp_path: Path, mode: int) -> None:
    home.mkdir(parents=True)
    home.chmod(mode)
    ledger = tmp_path / "hunt.jobs"
    ledger.write_text("2026-02-03 applied Acme\n", encoding="utf-8")
    assert cache.open_cache() is None
    files = FileCache(cache.open_cache())
    load_files([str(ledger)], files)
    check_ledger([str(ledger)], AS_OF)
    assert records(home) == []  # never written
    home.chmod(0o700)
    assert cache.open_cache() is not None


def test_a_directory_of_someone_else_is_ignored(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = tmp_path / "hunt.jobs"
    ledger.write_text("2026-02-03 applied Acme\n", encoding="utf-8")
    check_ledger([str(ledger)], AS_OF)
    assert records(home)  # ours: used
    real = os.getuid()
    monkeypatch.setattr(os, "getuid", lambda: real + 1)  # as if the directory were another's
    assert cache.open_cache() is None
    before = {p: p.stat().st_mtime_ns for p in records(home)}
    ledger.write_text("2026-02-04 applied Acme\n", encoding="utf-8")
    check_ledger([str(ledger)], AS_OF)
    assert {p: p.stat().st_mtime_ns for p in records(home)} == before  # neither read nor written


def test_a_symlinked_directory_is_ignored(home: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    home.parent.mkdir(parents=True)
    home.symlink_to(elsewhere)
    assert cache.open_cache() is None


def test_a_record_owned_or_writable_by_others_is_a_miss(home: Path, tmp_path: Path) -> None:
    ledger = tmp_path / "hunt.jobs"
    ledger.write_text("2026-02-03 applied Acme\n", encoding="utf-8")
    load_files([str(ledger)], FileCache(cache.open_cache()))
    (record,) = records(home, "parse")
    record.chmod(0o666)
    files = FileCache(cache.open_cache())
    load_files([str(ledger)], files)
    assert files.parsed == 1


def corrupt_ways(data: bytes) -> dict[str, bytes]:
    middle = len(data) // 2
    return {
        "empty": b"",
        "truncated": data[:middle],
        "one byte flipped": data[:middle] + bytes([data[middle] ^ 0x40]) + data[middle + 1 :],
        "no magic": b"\x00" * len(data),
        "random bytes": random.Random(3).randbytes(len(data)),
        "text": b"hello, this is not a record\n",
    }


@pytest.mark.parametrize("way", sorted(corrupt_ways(b"x" * 100)))
def test_a_corrupt_record_is_a_miss(home: Path, tmp_path: Path, way: str) -> None:
    ledger = tmp_path / "hunt.jobs"
    ledger.write_text(
        (ROOT / "examples" / "blueprint.jobs").read_text("utf-8") + "2026-02-30 x\n", "utf-8"
    )
    expected = repr(load_files([str(ledger)]))
    load_files([str(ledger)], FileCache(cache.open_cache()))
    (record,) = records(home, "parse")
    record.write_bytes(corrupt_ways(record.read_bytes())[way])
    files = FileCache(cache.open_cache())
    assert repr(load_files([str(ledger)], files)) == expected
    assert files.parsed == 1
    # and the miss wrote a good record again
    files = FileCache(cache.open_cache())
    assert repr(load_files([str(ledger)], files)) == expected
    assert files.parsed == 0


def test_a_foreign_record_under_the_right_name_is_a_miss(home: Path, tmp_path: Path) -> None:
    """Valid marshal with a valid CRC, but another key (another version, say): a miss."""
    ledger = tmp_path / "hunt.jobs"
    ledger.write_text("2026-02-03 applied Acme\n", encoding="utf-8")
    load_files([str(ledger)], FileCache(cache.open_cache()))
    (record,) = records(home, "parse")
    disk = cache.open_cache()
    assert disk is not None
    disk.put(record.name, ("another", "key"), ((), ()))
    files = FileCache(disk)
    assert load_files([str(ledger)], files).entries[0].company == "Acme"  # type: ignore[union-attr]
    assert files.parsed == 1
    disk.put(record.name, disk_key(record, disk), ("not", "a", "parse", "record"))
    files = FileCache(disk)
    assert load_files([str(ledger)], files).entries[0].company == "Acme"  # type: ignore[union-attr]
    assert files.parsed == 1


def disk_key(record: Path, disk: cache.DiskCache) -> tuple[object, ...]:
    """The key stored in a record (read back as the cache reads it)."""
    import marshal

    data = record.read_bytes()
    start = len(cache.MAGIC) + 8
    end = start + int.from_bytes(data[len(cache.MAGIC) + 4 : start], "big")
    key, _ = marshal.loads(data[start:end])
    return tuple(key)


def test_the_cache_stays_under_its_size_least_recently_used_out(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    disk = cache.open_cache()
    assert disk is not None
    blob = b"x" * 10_000
    for n in range(10):
        disk.put(f"r{n}{cache.SUFFIX}", (n,), blob)
        os.utime(home / f"r{n}{cache.SUFFIX}", (1_000_000 + n, 1_000_000 + n))
    disk.get(f"r2{cache.SUFFIX}", (2,))  # used: now the most recent
    disk.evict(limit=35_000)
    kept = {p.name for p in records(home)}
    assert sum(p.stat().st_size for p in records(home)) <= 35_000
    assert kept == {f"r{n}{cache.SUFFIX}" for n in (2, 8, 9)}


def test_writing_sweeps_the_cache(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "MAX_BYTES", 45_000)
    for n in range(10):  # a run each: each sweeps after its first write
        disk = cache.open_cache()
        assert disk is not None
        disk.put(f"r{n}{cache.SUFFIX}", (n,), (), b"x" * 10_000)
        disk.close()
    assert 30_000 < sum(p.stat().st_size for p in records(home)) <= 45_000
    disk = cache.open_cache()  # one run, many writes: swept every quarter of MAX_BYTES
    assert disk is not None
    for n in range(10, 30):
        disk.put(f"r{n}{cache.SUFFIX}", (n,), (), b"x" * 10_000)
    assert sum(p.stat().st_size for p in records(home)) <= 45_000 + 45_000 // 4


def test_a_put_leaves_no_temporary_file_and_old_ones_are_swept(home: Path) -> None:
    disk = cache.open_cache()
    assert disk is not None
    stale = home / ".tmp-1-dead"
    stale.write_bytes(b"half a record")
    os.utime(stale, (1_000_000, 1_000_000))
    fresh = home / ".tmp-2-alive"  # another run writing right now
    fresh.write_bytes(b"half")
    disk.put(f"r{cache.SUFFIX}", ("k",), ("v",))
    assert sorted(p.name for p in home.iterdir()) == [".tmp-2-alive", f"r{cache.SUFFIX}"]
    found = disk.get(f"r{cache.SUFFIX}", ("k",))
    assert found is not None and found[0] == ("v",)


def test_concurrent_writers_and_readers_see_a_whole_record_or_none(home: Path) -> None:
    name, key = f"shared{cache.SUFFIX}", ("k",)
    values = [tuple(range(n, n + 20_000)) for n in range(4)]
    seen: list[object] = []
    errors: list[BaseException] = []

    def write(value: tuple[int, ...]) -> None:
        disk = cache.open_cache()
        assert disk is not None
        for _ in range(15):
            disk.put(name, key, value)

    def read() -> None:
        disk = cache.open_cache()
        assert disk is not None
        try:
            for _ in range(60):
                found = disk.get(name, key)
                seen.append(None if found is None else found[0])
        except BaseException as exc:  # pragma: no cover - the failure being tested for
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(v,)) for v in values]
    threads += [threading.Thread(target=read) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert all(value is None or value in values for value in seen)
    assert any(value is not None for value in seen)


def test_no_cache_and_the_environment_variable_bypass_it(
    home: Path, tmp_path: Path, run_cli: object
) -> None:
    ledger = tmp_path / "hunt.jobs"
    ledger.write_text("2026-02-03 applied Acme\n", encoding="utf-8")
    env = {"XDG_CACHE_HOME": str(home.parent)}
    for args, extra in (
        (["check", "--no-cache"], {}),
        (["report", "--no-cache"], {}),
        (["check"], {cache.NO_CACHE_ENV: "1"}),
        (["report"], {cache.NO_CACHE_ENV: "1"}),
    ):
        done = run_cli(*args, str(ledger), "--as-of", "2026-03-15", env={**env, **extra})  # type: ignore[operator]
        assert done.returncode == 0, done.stderr
        assert records(home) == [], args
    done = run_cli("check", str(ledger), "--as-of", "2026-03-15", env=env)  # type: ignore[operator]
    assert done.returncode == 0
    assert records(home, "parse") and records(home, "check")
    assert cache.open_cache(enabled=False) is None


# ---------------------------------------------------------------- check's cached result


def checked(paths: list[Path], as_of: date = AS_OF, strict: bool = False) -> str:
    return repr(check_ledger([str(p) for p in paths], as_of, strict=strict))


def uncached(paths: list[Path], as_of: date = AS_OF, strict: bool = False) -> str:
    return repr(check_ledger([str(p) for p in paths], as_of, strict=strict, use_cache=False))


def test_a_warm_check_says_what_a_cold_one_says(home: Path, tmp_path: Path) -> None:
    for path in corpus(tmp_path):
        expected = uncached([path])
        assert checked([path]) == expected  # stores
        assert checked([path]) == expected  # a hit
        assert checked([path], strict=True) == uncached([path], strict=True)
        assert checked([path], as_of=date(2020, 1, 1)) == uncached([path], as_of=date(2020, 1, 1))


def test_a_warm_check_decodes_no_entry(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = tmp_path / "hunt.jobs"
    ledger.write_text((ROOT / "examples" / "blueprint.jobs").read_text("utf-8"), "utf-8")
    checked([ledger])

    def refuse(rows: object, path: str) -> None:
        raise AssertionError("decoded entries on a warm check")

    monkeypatch.setattr(cache, "decode_entries", refuse)
    assert checked([ledger]) == uncached([ledger])


def split_ledger(tmp_path: Path) -> tuple[Path, Path, Path]:
    main = tmp_path / "main.jobs"
    (tmp_path / "years").mkdir()
    a, b = tmp_path / "years" / "2025.jobs", tmp_path / "years" / "2026.jobs"
    main.write_text('include "years/*.jobs"\n2026-01-02 applied Main\n', encoding="utf-8")
    a.write_text("2025-05-01 applied Acme\n2025-05-01 applied Acme\n", encoding="utf-8")
    b.write_text("2026-02-01 applied Acme\n2026-02-03 appled Beta\n", encoding="utf-8")
    return main, a, b


def test_any_change_to_what_check_read_misses(home: Path, tmp_path: Path) -> None:
    main, a, b = split_ledger(tmp_path)
    first = checked([main])
    assert first == uncached([main]) and "JL220" in first and "JL243" in first
    assert checked([main]) == first
    # an included file changes
    b.write_text("2026-02-01 applied Acme\n2026-02-03 applied Beta\n", encoding="utf-8")
    assert checked([main]) == uncached([main]) != first
    # a new file matches the glob
    (tmp_path / "years" / "2027.jobs").write_text("2027-01-01 appled Gamma\n", encoding="utf-8")
    assert "Gamma" not in first and "appled" in checked([main]) == uncached([main])
    # a matched file goes away
    a.unlink()
    assert checked([main]) == uncached([main])
    assert "2025.jobs" not in checked([main])
    # the main file changes, the date, --strict
    main.write_text('include "years/*.jobs"\n2036-01-02 applied Main\n', encoding="utf-8")
    assert checked([main]) == uncached([main])
    assert "JL242" in checked([main])
    assert "JL242" not in checked([main], as_of=date(2036, 1, 1))
    assert checked([main], strict=True) == uncached([main], strict=True) != checked([main])


def test_the_same_ledger_from_another_directory_names_its_own_paths(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    split_ledger(tmp_path)
    monkeypatch.chdir(tmp_path)
    here = check_ledger(["main.jobs"], AS_OF)
    monkeypatch.chdir(tmp_path / "years")
    there = check_ledger(["../main.jobs"], AS_OF)
    assert {d.position.path for d in here.diagnostics} != {
        d.position.path for d in there.diagnostics
    }
    assert repr(there) == repr(check_ledger(["../main.jobs"], AS_OF, use_cache=False))


def test_a_new_version_misses(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    main, _, _ = split_ledger(tmp_path)
    checked([main])
    monkeypatch.setattr(cache, "code_id", lambda: "another version")
    files = FileCache(cache.open_cache())
    walk_files([str(main)], files)
    assert files.parsed == 3


# ---------------------------------------------------------------- watch's cache in memory


def test_in_memory_a_file_is_parsed_again_only_when_its_bytes_change(tmp_path: Path) -> None:
    main, a, b = split_ledger(tmp_path)
    files = FileCache(memory=True)
    first = load_files([str(main)], files)
    assert files.parsed == 3
    again = load_files([str(main)], files)
    assert files.parsed == 3
    assert all(x is y for x, y in zip(first.entries, again.entries, strict=True))
    b.write_text("2026-02-01 applied Acme\n2026-02-03 applied Beta\n", encoding="utf-8")
    changed = load_files([str(main)], files)
    assert files.parsed == 4
    assert changed.entries == load_files([str(main)]).entries
    from_a = [e for e in first.entries if e.position.path == str(a)]
    assert all(any(e is x for x in changed.entries) for e in from_a)  # untouched: the same
    os.utime(a)  # touched, same bytes: read again, not parsed again
    load_files([str(main)], files)
    assert files.parsed == 4


# ---------------------------------------------------------------- watch: memos across builds


OUTCOMES_REORDERED = ("withdrawn", "rejected", "ghosted", "declined")


def test_reports_built_with_memos_equal_fresh_ones(tmp_path: Path) -> None:
    """A watch session's builds (files and per-application results kept between them) give
    exactly the report and diagnostics a fresh build gives, whatever changed in between."""
    from jobledger.ledger.memo import Memos
    from jobledger.pipeline import load_report
    from jobledger.render.html import content_security_policy, encoded_page, render_html
    from jobledger.render.markdown import render_markdown
    from jobledger.report.build import ReportOptions

    main, a, b = split_ledger(tmp_path)
    seed = (ROOT / "examples" / "blueprint.jobs").read_text("utf-8")
    body = "\n".join(line for line in seed.splitlines() if line[:1].isdigit() or line[:1] == " ")
    a.write_text(body + "\n2025-05-01 applied Acme\n", encoding="utf-8")  # Acme: in a and b
    b.write_text("2026-02-01 applied Acme\n2026-02-03 applied Beta\n", encoding="utf-8")
    files, memos = FileCache(memory=True), Memos()

    def same(as_of: date = AS_OF, private: frozenset[str] = frozenset()) -> bool:
        options = ReportOptions(as_of, private=private)
        kept = load_report([str(main)], options, files_cache=files, memos=memos)
        fresh = load_report([str(main)], options, use_cache=False)
        assert repr(kept) == repr(fresh)
        if kept.report is None or fresh.report is None:
            return False
        # and so are the pages made from the rows kept
        markdown = render_markdown(fresh.report)
        kept_markdown = render_markdown(
            kept.report, rows=memos.markdown, lines=memos.markdown_lines
        )
        assert kept_markdown == markdown
        page = render_html(fresh.report)
        assert encoded_page(kept.report, memos.html).body == page.encode("utf-8")
        live = render_html(fresh.report, live=True, report_time="14:02")
        served = encoded_page(kept.report, memos.html, live=True, report_time="14:02")
        assert served.body == live.encode("utf-8")
        assert served.csp == content_security_policy(live)
        return True

    assert same() and same()
    for memo in (
        memos.slices,
        memos.reduce,
        memos.view,
        memos.rows,
        memos.markdown,
        *memos.markdown_lines,
        memos.html,
    ):
        assert memo.hits > 0
    b.write_text(b.read_text("utf-8") + "2026-02-05 rejected Acme\n", encoding="utf-8")
    same()  # an application in both files changes
    longer = "2026-02-06 applied A Company Name Longer Than Any | Staff Engineer ; why\n"
    b.write_text(b.read_text("utf-8") + longer, encoding="utf-8")
    same()  # the Markdown tables' columns widen: every line is laid out again
    b.write_text("2026-02-01 interview Acme\n2026-03-01 applied Delta #x\n", encoding="utf-8")
    same()
    b.write_text("2026-03-01 applied Delta #x\n", encoding="utf-8")  # Acme: only in a now
    same()
    b.write_text("2026-02-01 interview Acme\n2026-03-01 applied Delta #x\n", encoding="utf-8")
    same()  # and back in b: an application of an unchanged file gains events
    (tmp_path / "years" / "2027.jobs").write_text("2026-03-02 applied Zeta\n", encoding="utf-8")
    same()  # one file more
    same(as_of=date(2026, 2, 2))  # another date
    main.write_text('include "years/*.jobs"\noption ghost-after 10\nrole x "X"\n', encoding="utf-8")
    same(as_of=date(2026, 2, 2))  # another configuration
    outcomes = "".join(f'outcome {key} "{key.title()}"\n' for key in OUTCOMES_REORDERED)
    main.write_text(main.read_text("utf-8") + outcomes, encoding="utf-8")
    same(as_of=date(2026, 2, 2))  # the outcomes' markers change on the page
    same(private=frozenset({"source"}))
    a.write_text(body.replace("applied", "aplied", 3) + "\n", encoding="utf-8")
    assert not same()  # errors


# What a save can do to a line of a file in a watch session.
EDITS = st.lists(
    st.tuples(
        st.sampled_from(["a", "b"]),
        st.sampled_from(["append", "insert", "delete", "rekind", "config"]),
        st.integers(0, 10_000),
        st.sampled_from(
            [
                "2026-02-10 applied Acme",  # an application in both files
                "2026-02-11 phone Beta | Dev  #x",
                "2026-02-12 rejected Gamma",  # after an outcome: an error where it has one
                "2026-02-13 aplied Delta",  # an unknown kind: an error
                "2026-01-05 applied Eps 3",  # the same line as one already there
                "    source: board",
                "2026-02-14 interview New Co",  # past the base stage: a close-name warning
                "2026-02-15 applied Fresh",  # one of five new applications
            ]
        ),
    ),
    min_size=1,
    max_size=6,
)


def built_as_fresh(paths: list[str], cache: FileCache, memos: Memos) -> None:
    """A watch build (with `cache` and `memos`) gives what a fresh one does, and keeps the
    applications in the order a whole build meets them (first event's file and line), which
    the diagnostics and the close-name hints follow."""
    from jobledger.pipeline import load_report
    from jobledger.render.html import encoded_page, render_html
    from jobledger.render.markdown import render_markdown

    kept = load_report(paths, AS_OF, files_cache=cache, memos=memos)
    fresh = load_report(paths, AS_OF, use_cache=False)
    assert repr(kept) == repr(fresh)
    if kept.report is not None and fresh.report is not None:  # and the pages watch writes
        markdown = render_markdown(kept.report, rows=memos.markdown, lines=memos.markdown_lines)
        assert markdown == render_markdown(fresh.report)
        page = encoded_page(kept.report, memos.html).body
        assert page == render_html(fresh.report).encode("utf-8")
    last = memos.reduce
    met = (key for piece in last.read for key in piece.grouped(last.config)[0])
    assert list(last.by_key) == list(dict.fromkeys(met))


def test_each_kind_of_save_keeps_the_order_of_the_applications(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Saves that move where an application is first met, in files large enough that a save
    regroups only what it changed (ledger/reducer.py: _regrouped, _appended_in_order)."""
    from jobledger.ledger import reducer

    orders: list[list[tuple[str, str]] | None] = []  # what each save's build found

    def appended_in_order(*args: Any) -> list[tuple[str, str]] | None:
        orders.append(found := real(*args))
        return found

    real = reducer._appended_in_order
    monkeypatch.setattr(reducer, "_appended_in_order", appended_in_order)
    main, a, b = split_ledger(tmp_path)
    main.write_text('role x "X"\ninclude "years/*.jobs"\n', encoding="utf-8")  # an empty tail
    body = "".join(f"2026-01-0{1 + n % 9} applied Eps {n}\n" for n in range(400))
    a.write_text(body + "2025-12-01 applied Acme\n", encoding="utf-8")
    b.write_text(body + "2026-02-01 phone Acme\n", encoding="utf-8")
    cache, memos, paths = FileCache(memory=True), Memos(), [str(main)]
    built_as_fresh(paths, cache, memos)

    def append(path: Path, text: str) -> None:
        path.write_text(path.read_text("utf-8") + text, encoding="utf-8")
        built_as_fresh(paths, cache, memos)

    new = "".join(f"2026-02-02 applied {name}\n" for name in ("Zed", "Ada", "Kim", "Bo", "Lu"))
    append(b, new)  # five new applications, in the last file with events
    assert orders[-1] == [(name.casefold(), "") for name in ("Zed", "Ada", "Kim", "Bo", "Lu")]
    append(b, "2026-02-03 applied Beta\n")
    assert orders[-1] == [("beta", "")]
    append(a, "2026-01-20 phone Beta\n")  # Beta is met in the first file now
    assert orders[-1] is None  # the whole order is found again
    append(a, "2026-01-21 applied Gamma\n")  # new, and not in the last file
    gone = a.read_text("utf-8").replace("2025-12-01 applied Acme\n", "; no Acme here\n")
    a.write_text(gone, encoding="utf-8")  # no line moves
    built_as_fresh(paths, cache, memos)  # Acme is met in the last file now, after Gamma
    assert memos.reduce.hits > 0


@pytest.mark.parametrize("size", [20, 400])
@settings(max_examples=30, deadline=None)
@given(edits=EDITS)
def test_any_sequence_of_saves_builds_what_a_fresh_build_does(
    size: int, edits: list[tuple[str, str, int, str]]
) -> None:
    """Random saves in a watch session (of one file at a time, most of them small, so that
    the reducer takes only the applications a save touched): every build gives the very
    ledger, diagnostics and report a fresh build gives. Files of 400 lines are parsed again
    block by block, and their slices regrouped from the last build's."""
    import tempfile

    from jobledger.pipeline import load_report

    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        (root / "years").mkdir()
        main = root / "main.jobs"
        main.write_text('include "years/*.jobs"\nrole x "X"\n', encoding="utf-8")
        files = {"a": root / "years" / "a.jobs", "b": root / "years" / "b.jobs"}
        for name, path in files.items():  # the same applications in both files, and Acme in a
            lines = [f"2026-01-0{1 + n % 9} applied Eps {n}" for n in range(size)]
            lines += ["2026-01-10 applied Acme"] if name == "a" else []
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        cache, memos = FileCache(memory=True), Memos()
        paths = [str(main)]
        assert repr(load_report(paths, AS_OF, files_cache=cache, memos=memos)) == repr(
            load_report(paths, AS_OF, use_cache=False)
        )
        for name, edit, where, line in edits:
            if edit == "config":
                path, text = main, 'include "years/*.jobs"\nrole x "X"\nrole y "Y"\n'
                if "role y" in main.read_text("utf-8"):
                    text = 'include "years/*.jobs"\nrole x "X"\n'
            else:
                path = files[name]
                lines = path.read_text("utf-8").splitlines()
                at = where % (len(lines) + 1)
                if "Fresh" in line:  # two new applications in one save
                    line = f"{line} {where % 5}\n{line} {where % 7 + 5}"
                if edit == "append":
                    lines.append(line)
                elif edit == "insert":
                    lines.insert(at, line)
                elif lines and edit == "delete":
                    del lines[min(at, len(lines) - 1)]
                elif lines:
                    at = min(at, len(lines) - 1)
                    lines[at] = lines[at].replace("applied", "phone", 1)
                text = "\n".join(lines) + "\n"
            path.write_text(text, encoding="utf-8")
            built_as_fresh(paths, cache, memos)


def test_a_save_keeps_the_order_names_are_compared_in(tmp_path: Path) -> None:
    """Two names as close to a third: the hint names the first in the files. A save that
    adds the other one before it must say what a fresh build says, though the reducer took
    only the application it touched."""
    from jobledger.ledger.memo import Memos
    from jobledger.pipeline import load_report

    main, a, b = split_ledger(tmp_path)
    fillers = "".join(f"2026-01-0{n} applied Filler {n}\n" for n in range(1, 8))
    a.write_text(fillers + "2026-01-09 applied Acme Corp\n", encoding="utf-8")
    b.write_text("2026-02-01 interview Acme Cor\n", encoding="utf-8")
    files, memos = FileCache(memory=True), Memos()

    def hint() -> str:
        kept = load_report([str(main)], AS_OF, files_cache=files, memos=memos)
        fresh = load_report([str(main)], AS_OF, use_cache=False)
        assert repr(kept) == repr(fresh)
        (close,) = [d for d in kept.diagnostics if d.code == "JL250"]
        return close.hint or ""

    assert "Acme Corp" in hint()
    hits = memos.reduce.hits
    # a line above the include is read before the files it includes: Acme Corq comes first
    main.write_text("2026-01-01 applied Acme Corq\n" + main.read_text("utf-8"), encoding="utf-8")
    assert "Acme Corq" in hint()
    assert memos.reduce.hits - hits >= 9  # all but Acme Corq kept as they were


def test_the_parser_in_use_is_part_of_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """JOBLEDGER_PURE_PYTHON=1 is how a suspected difference of lark-cython is checked: it
    must parse afresh, not reuse lark-cython's parses (nor survive a Lark or Python upgrade)."""
    from jobledger import accelerators

    keys = []
    for pure in ("0", "1"):
        monkeypatch.setenv(accelerators.PURE_ENV, pure)
        cache.code_id.cache_clear()
        keys.append(cache.code_id())
    cache.code_id.cache_clear()
    assert keys[0] != keys[1]
    monkeypatch.setattr(cache.sys, "version", "3.99.0 (a later Python)")
    assert cache.code_id() not in keys
    cache.code_id.cache_clear()


@pytest.mark.parametrize("command", ["check", "report"])
def test_a_command_stores_its_parses_from_a_child_and_waits_for_it(
    home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
) -> None:
    """`check` and `report` hand the writing of new parses to another process and go on; the
    records are on disk when the command returns (the next command finds them), however slow
    the writing, and the command says what it says without the cache."""
    import gc
    import time

    from jobledger import forks
    from jobledger.cli import main

    ledger = tmp_path / "hunt.jobs"
    ledger.write_text(example_copies(1), "utf-8")
    argv = [command, str(ledger), "--as-of", "2026-03-15"]
    assert main([*argv, "--no-cache"]) == 0
    expected = capsys.readouterr()
    writers = tmp_path / "writers"
    real = FileCache._store

    def slow_store(self: FileCache, *args: object) -> None:
        with writers.open("a") as log:
            log.write(f"{os.getpid()}\n")
        time.sleep(0.5)
        real(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(forks, "may_fork", lambda: True)  # as in a jobledger process
    monkeypatch.setattr(FileCache, "_store", slow_store)
    try:
        assert main(argv) == 0
    finally:
        gc.enable()  # main turns it off for a command that runs once
    assert capsys.readouterr() == expected
    assert records(home, "parse")  # waited for
    assert {int(pid) for pid in writers.read_text().split()} - {os.getpid()}
    assert str(os.getpid()) not in writers.read_text().split()


def test_an_object_memo_reuses_by_identity_and_lets_unused_values_go() -> None:
    """watch's memo of each application's state, row and lines: a value is made once per
    object, kept while the object is in use, and what no build uses any more is let go (a
    save replaces objects: without that the memo would grow with every save)."""
    from jobledger.ledger.memo import ObjectMemo

    memo, made = ObjectMemo(), []

    def make(thing: object) -> str:
        made.append(thing)
        return f"value of {id(thing)}"

    things = [object() for _ in range(1000)]
    memo.start("g")
    first = memo.each(things, make)
    assert memo.each(things, make) == first and len(made) == 1000  # all kept
    for save in range(50):  # each save replaces ten objects
        things[save * 10 : save * 10 + 10] = [object() for _ in range(10)]
        assert memo.each(things, make) == [f"value of {id(t)}" for t in things]
        assert len(memo._kept) <= 1000 * 5 // 4 + 64
    assert len(made) == 1500 and memo.misses == 1500
    memo.start("another generation")  # a new configuration or date: made again
    memo.each(things, make)
    assert len(made) == 2500
