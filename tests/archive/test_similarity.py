"""Copy detection in the archive (archive/similarity.py): the five real seed reports,
a body's report pasted from its year before and another body's copy of it; both
sides of every pair recorded, candidates only by LSH band keys, boilerplate learned
from the bodies that print it, an update equal to a rebuild."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from archive.similarity import (
    compare_reports,
    copied_pairs,
    held_by,
    update_similarity,
)
from processors.similarity import MIN_OWN_CHARS, name_forms, sentences
from tests.similar_reports import (
    GAOQU,
    GAOQU_BODY,
    OTHER_BODY,
    add_report,
    copy_of,
    empty_archive,
    replace_text,
    seed_text,
    seeded,
    twins,
)

if TYPE_CHECKING:
    from pathlib import Path

    from archive.db import Archive

DAXINDIAN = "004_732243d8bfa41975"  # 蓬莱区大辛店镇人民政府 2022


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    opened = empty_archive(tmp_path)
    yield opened
    opened.close()


def test_every_copy_is_recorded_on_both_sides_and_nothing_else(
    archive: Archive,
) -> None:
    ids = seeded(archive)
    done = update_similarity(archive.db)
    assert done.rebuilt  # nothing was signed before
    assert (done.signed, done.too_short, done.matched) == (7, 0, 7)
    original, pasted, copy = ids[GAOQU], ids["pasted"], ids["copy"]
    assert twins(archive) == {
        (pasted, "same_body"): (original, 1.0),
        (pasted, "other_body"): (copy, 0.9893),
        (original, "other_body"): (copy, 0.9893),
        (copy, "other_body"): (original, 0.9893),
    }
    # only the three copies of one text were compared: LSH never made other pairs
    assert done.compared == 3
    assert archive.db.execute("SELECT count(*) FROM similarity_pending").fetchone() == (
        0,
    )
    (pair,) = [
        p for p in copied_pairs(archive.db, 0.8) if original in (p.report_id, p.twin_id)
    ]
    assert {pair.body, pair.twin_body} == {GAOQU_BODY, OTHER_BODY}
    assert pair.similarity == 0.9893


def test_a_copy_that_changes_is_forgotten_by_both_sides(archive: Archive) -> None:
    ids = seeded(archive)
    update_similarity(archive.db)
    copy, daxindian = ids["copy"], ids[DAXINDIAN]
    # the copy now copies 大辛店镇's report instead of 高区's
    replace_text(archive, copy, copy_of(seed_text(DAXINDIAN), seed=3))
    assert archive.db.execute(
        "SELECT report_id FROM similarity_pending"
    ).fetchall() == [(copy,)]
    done = update_similarity(archive.db)
    assert not done.rebuilt
    assert done.signed == 1
    found = twins(archive)
    assert found[(copy, "other_body")][0] == daxindian
    assert found[(daxindian, "other_body")][0] == copy
    assert (ids[GAOQU], "other_body") not in found
    assert (ids["pasted"], "other_body") not in found
    assert found[(ids["pasted"], "same_body")] == (ids[GAOQU], 1.0)


def test_only_earlier_years_of_the_same_body_are_its_twins(archive: Archive) -> None:
    ids = seeded(archive)
    update_similarity(archive.db)
    found = twins(archive)
    assert (ids[GAOQU], "same_body") not in found  # 2022 is later than 2021
    assert found[(ids["pasted"], "same_body")] == (ids[GAOQU], 1.0)


def test_a_report_of_only_the_template_is_not_compared(archive: Archive) -> None:
    template = "\n".join(
        line
        for line in seed_text(GAOQU).splitlines()
        if "\t" in line
        or line.startswith(("根据《中华人民共和国", "本报告内容包括", "一、"))
    )
    ids = [add_report(archive, f"某某{n}镇人民政府", 2021, template) for n in range(3)]
    done = update_similarity(archive.db)
    assert (done.signed, done.too_short) == (3, 3)
    assert archive.db.execute(
        "SELECT own_chars, signature FROM similarity_signatures WHERE report_id = ?",
        [ids[0]],
    ).fetchone() == (0, None)
    assert archive.db.execute("SELECT count(*) FROM similarity_bands").fetchone() == (
        0,
    )
    assert twins(archive) == {}


def stock_hashes(body: str) -> set[int]:
    return {s.hash for s in sentences(STOCK, name_forms(body))}


# Three sentences of 大辛店镇's report, as a county's bodies might all print them.
STOCK = (
    "一是健全工作机制。进一步明确政务公开工作分管领导和具体工作人员，确保政务公开工作"
    "有人抓、有人管。二是加强业务培训。定期组织工作人员参加政务公开业务培训，不断提高"
    "工作人员的业务能力和水平。"
)


def test_what_five_bodies_print_leaves_every_signature(archive: Archive) -> None:
    gaoqu = add_report(archive, GAOQU_BODY, 2021, f"{seed_text(GAOQU)}\n{STOCK}")
    for n in range(3):  # three more bodies print the stock sentences
        add_report(archive, f"某某{n}镇人民政府", 2021, STOCK)
    update_similarity(archive.db)
    hashes = stock_hashes(GAOQU_BODY)
    assert len(hashes) == 4
    assert held_by(archive.db, hashes) == dict.fromkeys(hashes, 4)

    def signed() -> int:
        return archive.db.execute(
            "SELECT sentences FROM similarity_signatures WHERE report_id = ?", [gaoqu]
        ).fetchone()[0]

    assert signed() == 42 + 4  # printed by 4 bodies: maybe a copy, kept
    add_report(archive, "某某3镇人民政府", 2021, STOCK)  # a fifth body prints them
    done = update_similarity(archive.db)
    assert held_by(archive.db, hashes) == dict.fromkeys(hashes, 5)
    assert signed() == 42  # boilerplate now: 高区's report was signed again
    assert done.signed == 5  # the new report, and every report of a body printing them


def test_an_update_leaves_what_a_rebuild_makes(archive: Archive) -> None:
    ids = seeded(archive)
    update_similarity(archive.db)
    for n in range(4):
        add_report(archive, f"某某{n}镇人民政府", 2021, STOCK)
        update_similarity(archive.db)
    replace_text(archive, ids["copy"], copy_of(seed_text(DAXINDIAN), seed=3))
    replace_text(archive, ids["pasted"], f"{seed_text(GAOQU)}\n{STOCK}")
    archive.db.execute(
        "UPDATE reports SET body = ? WHERE id = ?", ["某某4镇人民政府", ids[DAXINDIAN]]
    )
    update_similarity(archive.db)
    updated = state(archive)
    assert not update_similarity(archive.db).signed  # nothing pending
    assert update_similarity(archive.db, rebuild=True).rebuilt
    assert state(archive) == updated


def state(archive: Archive) -> tuple[object, ...]:
    """What copy detection holds, without times (and body ids, which a rebuild renumbers)."""
    db = archive.db
    return (
        twins(archive),
        db.execute(
            "SELECT report_id, b.body, scheme, sentences, own_chars, signature"
            " FROM similarity_signatures s JOIN similarity_bodies b ON b.id = s.body_id"
            " ORDER BY report_id"
        ).fetchall(),
        db.execute("SELECT * FROM similarity_bands ORDER BY 1, 2").fetchall(),
        db.execute(
            "SELECT sentence, b.body FROM similarity_sentences s"
            " JOIN similarity_bodies b ON b.id = s.body_id ORDER BY 1, 2"
        ).fetchall(),
    )


def test_the_passages_two_reports_share_side_by_side(archive: Archive) -> None:
    ids = seeded(archive)
    update_similarity(archive.db)
    compared = compare_reports(archive.db, ids["copy"], ids[GAOQU])
    assert compared is not None
    assert compared.similarity == pytest.approx(0.9893, abs=1e-4)
    (passage,) = compared.passages
    assert len(passage.a) == 42
    assert passage.b[4] == (
        "2021年，全区共公开信息10000余条，其中门户网站信息2400余条，"
        "微信公众号信息6300余条，政务微博信息1500余条。"
    )
    assert compare_reports(archive.db, ids["copy"], 10**6) is None
    assert MIN_OWN_CHARS == 150


def test_a_copy_that_kept_the_neighbours_name_is_found_all_the_same(
    archive: Archive,
) -> None:
    source = add_report(archive, "蓬莱区大辛店镇人民政府", 2022, seed_text(DAXINDIAN))
    lazy = add_report(
        archive, "蓬莱区北沟镇人民政府", 2022, copy_of(seed_text(DAXINDIAN))
    )
    assert seed_text(DAXINDIAN).count("大辛店") == 25  # left as they were in the copy
    update_similarity(archive.db)
    # each report's own name is masked in its own text; a comparison masks both names
    assert twins(archive)[(lazy, "other_body")] == (source, 1.0)
