"""A hand-built VerifiedSummary of the seeds, so the renderer can be tested without the model.

The documents are the real seed files split into sentences with real offsets; the summary, statuses and contested
slots are what an analyst would expect the pipeline to produce for them, covering every status. A fifth, planted
source carries hostile markup in its text, title and outlet, and one of its sentences is cited, so escaping is
exercised on every path (plain text, evidence spans, citations, Markdown tables).
"""

from __future__ import annotations

import re
from pathlib import Path

import pysbd

from summarizer.draft import ModelInfo, RunMeta
from summarizer.schema import (
    Actor,
    ActorRole,
    Claim,
    EventDate,
    EventSummary,
    EventType,
    Figure,
    FigureKind,
    Location,
    Note,
    Stance,
)
from summarizer.sources import Document, Removal, Sentence, Skipped, Sources
from summarizer.verify import (
    CheckedClaim,
    ContestedSlot,
    Evidence,
    SlotValue,
    Status,
    VerifiedSummary,
    faithfulness,
)

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
PWNED_SCRIPT = "<script>window.__pwned=1</script>"
PWNED_IMG = '<img src=x onerror="window.__pwned=1">'
HOSTILE_TEXT = (
    f"Planted report {PWNED_SCRIPT} from the prison.\n\n"
    f"Officials said 7 police officers were killed at Al-Khalis {PWNED_IMG} on Friday.\n\n"
    "A witness wrote `rm -rf` | and [click here](javascript:alert(1)) <b>loudly</b>.\n"
)

_segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)


def _sentences(doc_id: str, text: str) -> list[Sentence]:
    """Sentences per line, trimmed, with offsets into `text` (what ingest promises, done simply)."""
    out: list[Sentence] = []
    for line in re.finditer(r"[^\n]+", text):
        for span in _segmenter.segment(line.group()):
            piece = span.sent.strip()
            if not piece:
                continue
            start = line.start() + span.start + (len(span.sent) - len(span.sent.lstrip()))
            out.append(Sentence(id=f"{doc_id}:{len(out)}", doc_id=doc_id, index=len(out), text=piece,
                                start=start, end=start + len(piece)))
    return out


def _document(doc_id: str, path: str, text: str, removed: tuple[Removal, ...] = (), **meta) -> Document:
    """A document whose sentences skip boilerplate, as ingest promises (removed text yields no sentences)."""
    kept = [s for s in _sentences(doc_id, text) if not any(s.start < r.end and r.start < s.end for r in removed)]
    sentences = [s.model_copy(update={"id": f"{doc_id}:{i}", "index": i}) for i, s in enumerate(kept)]
    return Document(id=doc_id, path=path, text=text, sentences=sentences, removed=list(removed), **meta)


def _seed(name: str) -> str:
    return (SEEDS / name).read_text(encoding="utf-8")


def _appeal_removed(text: str) -> tuple[Removal, ...]:
    """The Independent's donation appeal, set aside as ingest does (recorded, not cut)."""
    start = text.index("Your support helps us")
    end = text.index("Your support makes all the difference.") + len("Your support makes all the difference.")
    return (Removal(start=start, end=end, text=text[start:end], reason="donation appeal"),)


def seeds_sources() -> Sources:
    indy = _seed("001_2790ee7c4ba18998.txt")
    docs = [
        _document("d1", "seeds/000_108d603849a4caa9.txt", _seed("000_108d603849a4caa9.txt"),
                  title="ISIS part of major Iraq prison break that killed 62", date="2015-05-09"),
        _document("d2", "seeds/001_2790ee7c4ba18998.txt", indy,
                  title="Isis claims responsibility for major Iraq prison break leaving 62 inmates and police killed",
                  outlet="The Independent", duplicate_of="d1", similarity=0.91, removed=_appeal_removed(indy)),
        _document("d3", "seeds/002_d6adc25b9d441586.txt", _seed("002_d6adc25b9d441586.txt"),
                  title="2015 Al Khalis prison break", outlet="Wikipedia", date="2015-05-08"),
        _document("d4", "seeds/004_a072155b09cad796.txt", _seed("004_a072155b09cad796.txt"),
                  title="Latest ISIS jail break foreshadows new attacks", outlet="Communities Digital News",
                  date="2015-05-09"),
        _document("d5", "planted/005_hostile.html", HOSTILE_TEXT,
                  title=f"Hostile {PWNED_SCRIPT} [title](javascript:alert(1)) | pipe", outlet=PWNED_IMG),
    ]
    return Sources(root="seeds", documents=docs,
                   skipped=[Skipped(path="seeds/003_scan.pdf", reason="PDF is not a supported input type")])


def _evidence(sources: Sources, doc_id: str, quote: str, score: float = 0.9) -> Evidence:
    """The sentence of `doc_id` that contains `quote`, as verify would return it."""
    sentence = next(s for s in sources.document(doc_id).sentences if quote in s.text)
    return Evidence(doc_id=doc_id, sentence_id=sentence.id, start=sentence.start, end=sentence.end,
                    text=sentence.text, score=score)


def seeds_verified() -> VerifiedSummary:
    src = seeds_sources()

    def ev(doc_id: str, quote: str, score: float = 0.9) -> Evidence:
        return _evidence(src, doc_id, quote, score)

    def cite(doc_id: str, quote: str) -> list[str]:
        return [ev(doc_id, quote).sentence_id]

    officials_12 = ev("d1", "12 police officers died")
    wiki_12 = ev("d3", "twelve police officers died")
    maan_5 = ev("d4", "five guards and 30 prisoners")
    planted_7 = ev("d5", "7 police officers")
    wiki_escaped = ev("d3", "More than fifty prisoners escaped in the break")
    cdn_escaped = ev("d4", "spokesman reported that more than 40")
    indy_escaped = ev("d2", "dozens of prisoners escaped")
    riot = ev("d3", "a riot broke out at the prison")
    cdn_riot = ev("d4", "one of the inmates took a weapon")
    amaq = ev("d1", "broke in to the prison from the outside")
    no_attack = ev("d3", "no external attack had occurred")

    bottom_line = [
        "On 8 May 2015 dozens of prisoners escaped from the Al-Khalis prison in Diyala province, Iraq.",
        "Officials blame an inmate riot; ISIS claims an outside assault.",
        "Death tolls differ by source: 12 police and 50 inmates (Iraqi officials) against 5 guards and 30 prisoners "
        "(Brig. Gen. Saad Maan).",
    ]
    summary = EventSummary(
        headline="ISIS claims Al-Khalis prison break in Iraq; sources disagree on who died",
        bottom_line=" ".join(bottom_line),
        event_type=EventType.prison_break,
        date=EventDate(value="2015-05-08", precision="day", text="On 8 May 2015",
                       citations=cite("d3", "On 8 May 2015")),
        location=Location(place="Al Khalis", region=None, country="Iraq",
                          citations=cite("d3", "Al Khalis is a town located")),
        actors=[
            Actor(name="ISIS", role=ActorRole.claimed_responsibility, citations=cite("d3", "ISIS, however, claimed")),
            Actor(name="Amaq News Agency", role=ActorRole.spokesperson, citations=[amaq.sentence_id]),
            Actor(name="Brigadier General Saad Maan", role=ActorRole.authority,
                  citations=cite("d4", "Brigadier General Saad Maan said")),
            Actor(name="Al Qaeda in Iraq", role=ActorRole.perpetrator, citations=cite("d4", "Al Qaeda in Iraq")),
        ],
        figures=[
            Figure(kind=FigureKind.killed, group="police officers", value_min=12, text="12",
                   reported_by="Iraqi officials", citations=[officials_12.sentence_id]),
            Figure(kind=FigureKind.killed, group="guards", value_min=5, text="five",
                   reported_by="Brigadier General Saad Maan", citations=[maan_5.sentence_id]),
            Figure(kind=FigureKind.escaped, group="prisoners", value_min=51, text="more than fifty",
                   reported_by="official reports", citations=[wiki_escaped.sentence_id]),
            Figure(kind=FigureKind.held, group="people convicted of terror charges", value_min=300,
                   text="around 300", citations=cite("d1", "held around 300")),
            Figure(kind=FigureKind.freed, group="ISIS members", value_min=31, text="more than 30",
                   reported_by="ISIS", citations=cite("d3", 'freed "more than 30"')),
            Figure(kind=FigureKind.killed, group="civilians in the prison break", value_min=26, text="26",
                   citations=cite("d4", "car bomb killed 26 people")),
        ],
        claims=[
            Claim(claimant="Iraqi officials",
                  statement="An inmate riot started the break; no outside attack took place.",
                  citations=[riot.sentence_id]),
            Claim(claimant="Amaq News Agency", statement="ISIS militants broke into the prison with explosives.",
                  citations=[amaq.sentence_id]),
            Claim(claimant="Official reports", stance=Stance.asserts,
                  statement="An external attack on the prison occurred.", citations=[no_attack.sentence_id]),
        ],
        aftermath=[Note(text="A curfew was declared in Al-Khalis and houses were searched for escaped convicts.",
                        citations=cite("d1", "declared a curfew"))],
        key_points=[Note(text="A planted report | says <b>7</b> police officers died.",
                         citations=[planted_7.sentence_id])],
    )

    claims = [
        CheckedClaim(pointer="/headline", text=summary.headline, status=Status.supported, score=0.81,
                     evidence=[ev("d2", "Isis claims responsibility")]),
        CheckedClaim(pointer="/bottom_line", text=bottom_line[0], status=Status.supported, score=0.82,
                     evidence=[wiki_escaped, indy_escaped]),
        CheckedClaim(pointer="/bottom_line", text=bottom_line[1], status=Status.supported, score=0.8,
                     evidence=[riot, amaq]),
        CheckedClaim(pointer="/bottom_line", text=bottom_line[2], status=Status.contested, score=0.74,
                     evidence=[officials_12, maan_5], reasons=["sources disagree on the death toll"]),
        CheckedClaim(pointer="/date", text="The event happened on 2015-05-08.", status=Status.supported, score=0.95,
                     evidence=[ev("d3", "On 8 May 2015")]),
        CheckedClaim(pointer="/location", text="It happened in Al Khalis, Iraq.", status=Status.supported,
                     score=0.9, evidence=[ev("d3", "Al Khalis is a town located in Diyala province"),
                                          ev("d4", "facility in Al-Khalis")]),
        CheckedClaim(pointer="/location/region", text="", status=Status.not_stated, score=0.0),
        CheckedClaim(pointer="/actors/0", text="ISIS claimed responsibility.", status=Status.supported, score=0.88,
                     evidence=[ev("d3", "ISIS, however, claimed the prison break"),
                               ev("d4", "orchestrated the attack")]),
        CheckedClaim(pointer="/actors/1", text="Amaq News Agency spoke for ISIS.", status=Status.supported,
                     score=0.83, evidence=[amaq]),
        CheckedClaim(pointer="/actors/2", text="Brigadier General Saad Maan is an authority.", status=Status.supported,
                     score=0.8, evidence=[ev("d4", "Brigadier General Saad Maan said")]),
        CheckedClaim(pointer="/actors/3", text="Al Qaeda in Iraq carried out the prison break.",
                     status=Status.unsupported, score=0.12, evidence=[ev("d4", "Al Qaeda in Iraq", 0.31)],
                     reasons=["the only mention of Al Qaeda in Iraq is about a 2013 prison break"]),
        CheckedClaim(pointer="/figures/0", text="12 police officers were killed, according to Iraqi officials.",
                     status=Status.contested, score=0.9, evidence=[officials_12, wiki_12],
                     reasons=["Brigadier General Saad Maan reports five guards killed"]),
        CheckedClaim(pointer="/figures/1", text="Five guards were killed, according to Brigadier General Saad Maan.",
                     status=Status.contested, score=0.86, evidence=[maan_5],
                     reasons=["Iraqi officials report 12 police officers killed"]),
        CheckedClaim(pointer="/figures/2", text="More than fifty prisoners escaped.", status=Status.contested,
                     score=0.84, evidence=[wiki_escaped, cdn_escaped],
                     reasons=["the Ministry of Interior gives more than 40"]),
        CheckedClaim(pointer="/figures/3", text="The prison held around 300 people convicted of terror charges.",
                     status=Status.supported, score=0.93,
                     evidence=[ev("d1", "held around 300"), ev("d3", "held about 300")]),
        CheckedClaim(pointer="/figures/4", text="ISIS says it freed more than 30 members.", status=Status.supported,
                     score=0.87, evidence=[ev("d3", 'freed "more than 30"')]),
        CheckedClaim(pointer="/figures/5", text="26 civilians were killed in the prison break.",
                     status=Status.contradicted, score=0.05, evidence=[ev("d4", "car bomb killed 26 people")],
                     reasons=["26 were killed by a car bomb in Baghdad's Karrada district the next day, "
                              "not in the prison break"]),
        CheckedClaim(pointer="/claims/0", text=summary.claims[0].statement, status=Status.supported, score=0.85,
                     evidence=[riot, cdn_riot, no_attack]),
        CheckedClaim(pointer="/claims/1", text=summary.claims[1].statement, status=Status.supported, score=0.89,
                     evidence=[amaq, ev("d3", "with the help of explosives")]),
        CheckedClaim(pointer="/claims/2", text=summary.claims[2].statement, status=Status.contradicted, score=0.04,
                     evidence=[no_attack], reasons=['the source says "no external attack had occurred"']),
        CheckedClaim(pointer="/aftermath/0", text=summary.aftermath[0].text, status=Status.supported, score=0.9,
                     evidence=[ev("d1", "declared a curfew"), ev("d3", "A curfew has been imposed")]),
        CheckedClaim(pointer="/key_points/0", text=summary.key_points[0].text, status=Status.contested, score=0.6,
                     evidence=[planted_7, ev("d5", "Planted report")],
                     reasons=["only the planted report gives 7"]),
    ]
    contested = [
        ContestedSlot(slot="killed: police officers / guards", values=[
            SlotValue(value="12 police officers", doc_ids=["d1", "d2", "d3"], evidence=[officials_12, wiki_12]),
            SlotValue(value="5 guards", doc_ids=["d4"], evidence=[maan_5]),
            SlotValue(value=f"7 {PWNED_SCRIPT}", doc_ids=["d5"], evidence=[planted_7]),
        ]),
        ContestedSlot(slot="escaped: prisoners", incompatible=False, values=[
            SlotValue(value="more than fifty", doc_ids=["d3"], evidence=[wiki_escaped]),
            SlotValue(value="more than 40", doc_ids=["d4"], evidence=[cdn_escaped]),
            SlotValue(value="dozens", doc_ids=["d2"], evidence=[indy_escaped]),
        ]),
        ContestedSlot(slot="cause", values=[
            SlotValue(value="an inmate riot (officials)", doc_ids=["d3", "d4"], evidence=[riot, cdn_riot]),
            SlotValue(value="an outside ISIS assault (Amaq)", doc_ids=["d1"], evidence=[amaq]),
        ]),
    ]
    meta = RunMeta(
        model=ModelInfo(role="generator", repo_id="Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF",
                        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32", backend="llamacpp"),
        prompt_version="event-v1", schema_version="1.0", prompt_tokens=2941, generated_tokens=612,
        timings={"anchors": 0.2, "select": 0.3, "prefill": 9.1, "decode": 27.5, "total": 38.0},
        stages={"ingest": 0.41, "load model": 1.9, "generate": 38.2, "verify": 3.7},
        embedder=ModelInfo(role="embedder", repo_id="sentence-transformers/all-MiniLM-L6-v2",
                           sha256="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
                           backend="sentence-transformers"),
        left_out=["d4:30", "d4:31"],
    )
    return VerifiedSummary(
        summary=summary, claims=claims, contested=contested,
        faithfulness=faithfulness(claims),
        sources=src, meta=meta,
    )
