"""Copy detection's pure part (processors/similarity.py) on the five real seed reports
(replica/data/seeds: text extractions of real Shandong reports) and copies of them."""

from __future__ import annotations

import hashlib
from itertools import combinations

import pytest

from processors.similarity import (
    BANDS,
    MIN_OWN_CHARS,
    PERMUTATIONS,
    Sentence,
    band_keys,
    compared_sentences,
    estimate,
    first_passage,
    name_forms,
    own_chars,
    sentence_hash,
    sentence_key,
    sentences,
    shared_passages,
    shingles,
    signature,
    signed_sentences,
    similarity,
)
from tests.similar_reports import (
    GAOQU,
    OTHER_BODY,
    RENAMED,
    SEED_REPORTS,
    copy_of,
    seed_text,
)


def own(
    name: str, body: str | None = None, text: str | None = None
) -> tuple[Sentence, ...]:
    return sentences(
        text if text is not None else seed_text(name),
        name_forms(body or SEED_REPORTS[name][0]),
    )


def jaccard(a: tuple[Sentence, ...], b: tuple[Sentence, ...], **kw: bool) -> float:
    own_a, own_b = compared_sentences(a, b, {}, **kw)
    return similarity(shingles(s.key for s in own_a), shingles(s.key for s in own_b))


# ---------------------------------------------------------------- sentences


def test_a_sentence_key_hides_figures_and_the_bodys_own_names() -> None:
    names = name_forms("安丘市景芝镇人民政府")
    assert names == (
        "安丘市景芝镇人民政府",
        "景芝镇人民政府",
        "安丘市景芝镇",
        "安丘市",
        "景芝镇",
    )
    assert sentence_key("2021 年，景芝镇共收到申请 12 件，占 2.38%。", names) == (
        "#年,※共收到申请#件,占#%。"
    )
    assert sentence_key("２０２２年，景芝镇共收到申请３件，占7.5%。", names) == (
        "#年,※共收到申请#件,占#%。"
    )
    assert sentence_hash("#年,※共收到申请#件,占#%。") == sentence_hash(
        sentence_key("2020年，景芝镇共收到申请0件，占0%。", names)
    )
    assert name_forms("安丘市发展和改革局") == (
        "安丘市发展和改革局",
        "发展和改革局",
        "安丘市",
    )


def test_the_template_the_law_tables_and_headings_are_not_own_text() -> None:
    found = {s.key for s in own(GAOQU)}
    assert len(found) == 42
    assert own_chars(own(GAOQU)) == 1953
    text = seed_text(GAOQU)
    dropped = (
        "根据《中华人民共和国政府信息公开条例》",  # the legal basis
        "本报告内容包括",  # what a report contains
        "统计期限",  # the statistics period
        "报告电子版可从",  # where to get it
        "请与",  # whom to ask
        "勾稽关系",  # the table's note
        "第二十条第",  # a table's heading
        "一、总体情况",  # the template's headings
        "二、主动公开政府信息情况",
        "（一）主动公开。",  # a numbered heading
        "无收取政府信息公开处理费",  # the fees section's null statement
    )
    for words in dropped:
        assert words in text
        assert not any(sentence_key(words) in key for key in found), words
    assert not any("\t" in s.text for s in own(GAOQU))  # table rows
    assert (
        "严格按照《山东省政府信息公开保密审查制度(试行)》要求,落实保密审查责任,"
        "严禁涉密信息上网公开。"
    ) in found


def test_a_report_of_only_the_template_has_no_own_text() -> None:
    text = "\n".join(
        line
        for line in seed_text(GAOQU).splitlines()
        if "\t" in line
        or line.startswith(
            ("根据《中华人民共和国", "本报告内容包括", "一、", "二、", "三、")
        )
        or line.startswith(("四、", "五、", "六、", "第二十条", "信息内容"))
    )
    assert "根据《中华人民共和国政府信息公开条例》" in text
    assert text.count("\t") > 100
    assert own(GAOQU, text=text) == ()


def test_lines_a_pdf_wrapped_are_read_as_the_sentences_they_were() -> None:
    text = seed_text(GAOQU)
    wrapped = "\n".join(
        line[i : i + 30] if "\t" not in line else line
        for line in text.splitlines()
        for i in (range(0, len(line), 30) if "\t" not in line else [0])
    )
    assert max(len(line) for line in wrapped.splitlines() if "\t" not in line) == 30
    # one caption line (no punctuation) runs into the next line: nothing else differs
    assert jaccard(own(GAOQU), own(GAOQU, text=wrapped), same_body=True) == (
        pytest.approx(0.9862, abs=1e-4)
    )


# ---------------------------------------------------------------- similarity


def test_a_copy_of_another_bodys_report_with_new_figures_is_found() -> None:
    original = own(GAOQU)
    copied = own(GAOQU, OTHER_BODY, copy_of(seed_text(GAOQU), names=RENAMED))
    assert copied != original  # other figures, another name
    assert jaccard(copied, original) == pytest.approx(0.9893, abs=1e-4)


def test_last_years_report_pasted_with_new_figures_is_the_same_text() -> None:
    for name in SEED_REPORTS:
        pasted = own(name, text=copy_of(seed_text(name), seed=2))
        assert jaccard(pasted, own(name), same_body=True) == 1.0, name


@pytest.mark.parametrize(("a", "b"), list(combinations(sorted(SEED_REPORTS), 2)))
def test_two_different_real_reports_are_not_similar(a: str, b: str) -> None:
    assert jaccard(own(a), own(b)) < 0.05


def test_boilerplate_is_what_three_bodies_besides_the_compared_print() -> None:
    copied = own(GAOQU, OTHER_BODY, copy_of(seed_text(GAOQU), names=RENAMED))
    original = own(GAOQU)
    shared = {s.hash for s in copied} & {s.hash for s in original}
    assert len(shared) == 39  # the copied sentences (figures and name hidden)
    # printed by the two compared and two more bodies: still a copy, not template
    four = dict.fromkeys(shared, 4)
    own_a, own_b = compared_sentences(copied, original, four)
    assert (len(own_a), len(own_b)) == (len(copied), len(original))
    # …and three more: boilerplate, on both sides
    five = dict.fromkeys(shared, 5)
    own_a, own_b = compared_sentences(copied, original, five)
    assert {s.hash for s in own_a} == {s.hash for s in copied} - shared
    assert {s.hash for s in own_b} == {s.hash for s in original} - shared
    # the same body's two years: one body compared, three others make boilerplate
    own_a, _ = compared_sentences(copied, original, four, same_body=True)
    assert {s.hash for s in own_a} == {s.hash for s in copied} - shared
    # a signature leaves out what is boilerplate in any comparison (5 bodies or more)
    assert signed_sentences(copied, four) == copied
    assert {s.hash for s in signed_sentences(copied, five)} == (
        {s.hash for s in copied} - shared
    )


# ---------------------------------------------------------------- MinHash and LSH


def test_signatures_are_the_same_on_every_machine() -> None:
    sig = signature(shingles(s.key for s in own(GAOQU)))
    assert sig.shape == (PERMUTATIONS,)
    assert hashlib.sha256(sig.tobytes()).hexdigest() == (
        "d36b953fbfd11d976e7fd46d201a72fb57999feccc0ac2e3cbfc291404c22b26"
    )
    assert band_keys(sig)[:2] == [21954064508743456, -4990657727070219012]
    with pytest.raises(ValueError, match="empty"):
        signature(shingles([]))


def test_lsh_makes_a_copy_a_candidate_and_other_reports_not() -> None:
    def sig(found: tuple[Sentence, ...]):
        return signature(shingles(s.key for s in found))

    original = sig(own(GAOQU))
    copied = sig(own(GAOQU, OTHER_BODY, copy_of(seed_text(GAOQU), names=RENAMED)))
    assert estimate(original, copied) >= 0.95
    assert len(set(band_keys(original)) & set(band_keys(copied))) >= BANDS // 2
    for name in SEED_REPORTS:
        if name != GAOQU:
            other = sig(own(name))
            assert estimate(original, other) < 0.1, name
            assert not set(band_keys(original)) & set(band_keys(other)), name


# ---------------------------------------------------------------- shared passages


def test_shared_passages_pair_each_sentence_with_its_copy_in_order() -> None:
    original = own(GAOQU)
    copied = own(GAOQU, OTHER_BODY, copy_of(seed_text(GAOQU), names=RENAMED))
    (passage,) = shared_passages(*compared_sentences(copied, original, {}))
    assert len(passage.a) == len(passage.b) == len(original)
    assert passage.b == tuple(s.text for s in original)
    assert passage.a[1] == (
        "制定并印发《威海经济技术开发区政务公开重点工作及责任分工方案》，制定具体实施计划，"
        "加强政务公开队伍建设，进一步提升政务公开工作质量和实效。"
    )
    assert passage.chars == own_chars(copied)


def test_a_sentence_of_its_own_splits_the_passages() -> None:
    original = list(own(GAOQU))
    mine = Sentence("本镇今年新建了三座便民服务站，群众办事更加方便快捷。", "", 0)
    mine = Sentence(
        mine.text, sentence_key(mine.text), sentence_hash(sentence_key(mine.text))
    )
    edited = (*original[:10], mine, *original[10:20], *original[25:])
    passages = shared_passages(*compared_sentences(tuple(edited), tuple(original), {}))
    assert [len(p.a) for p in passages] == [10, 10, len(original) - 25]
    assert passages[2].b[0] == original[25].text
    assert first_passage(passages) is passages[0]
    assert first_passage([]) is None
    assert own_chars(edited) >= MIN_OWN_CHARS
