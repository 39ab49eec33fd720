"""The two drafting strategies. `sections` (the default): the model chooses the main event among the options the
text offers, rules fix its scope, figures, actors and notes (source sentences), and the model writes the headline and
claims in one call. `single`: one constrained call for the whole schema (the measured alternative). Neither writes
the bottom line: `generate` composes it from the facts (draft.bottom_line)."""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from typing import Any

from summarizer.anchors import Candidates
from summarizer.checks import dates
from summarizer.draft.figures import merge_figures
from summarizer.draft.limits import LIMITS, TEXT_LIMITS
from summarizer.draft.prompts import render_prompt, shown_text
from summarizer.draft.scope import EventScope, MainEvent, Options, event_types_by_use
from summarizer.draft.valid import built, validated
from summarizer.draft.selection import Shown, pick_sentences, sentence_vectors
from summarizer.draft.speakers import (Speaker, actor_name, actor_role, group_speakers, lowercase_words,
                                       names_its_speaker, unattributed)
from summarizer.draft.writing import (Ask, Session, dates_only_the_event, grounded, lead_text, reads_as_prose,
                                      states_only_what_is_cited, trimmed)
from summarizer.schema import (
    Actor,
    Claim,
    EventDate,
    EventSummary,
    EventType,
    Figure,
    Location,
    Note,
    Stance,
)
from summarizer.sources import Sentence, Sources

# Words that make a main-event sentence an aftermath note (what followed: curfews, searches, arrests).
AFTERMATH = re.compile(
    r"\b(?:curfews?|search(?:ed|es|ing)?|raided|manhunt|arrest(?:ed|s)?|detain(?:ed)?|investigat\w*|funerals?"
    r"|vigils?|charged|recaptur\w*|reward|lockdown|evacuat\w*|closed)\b",
    re.IGNORECASE,
)


def _fallback_headline(shown: Shown) -> str | None:
    """The source text a headline falls back to: a title any report gives, else the lead report's lead sentence."""
    return next((d.title for d, _ in shown.documents if d.title), None) or lead_text(shown.documents[0][0])


def _claim_statement(written: str, said: list[Sentence], speaker: str) -> str:
    """What a speaker says, in the claim: the model's condensed text when it states only what their sentences do and
    does not name them as its own speaker; else their first sentence less the frame naming them ('Iraqi officials said
    12 police officers died' -> '12 police officers died')."""
    if written and not names_its_speaker(written, speaker) and states_only_what_is_cited(written, said):
        return written
    _, what = unattributed(said[0].text, speaker)
    return trimmed(what[:1].upper() + what[1:], TEXT_LIMITS["claim"])


def _main_event(session: Session, options: Options) -> MainEvent:
    """The choices that fix the main event, asked side by side over the cached sources. The date is counted, not
    asked (Options.event_date)."""
    kinds = {t.value.replace("_", " "): t for t in event_types_by_use(session.shown)}
    named = [("place", options.places), ("region", options.regions), ("country", options.countries)]
    asked = [(field, table) for field, table in named if table]
    answers = session.ask([session.choice("event_type", list(kinds))]
                          + [session.choice(field, list(table)) for field, table in asked])
    chosen = dict(zip((field for field, _ in asked), answers[1:]))
    picked, chosen["place"] = chosen.get("place"), options.town(chosen.get("place"))
    region, basis = options.region_of(chosen.get("place")) or (chosen.get("region"), None)
    event_type = kinds.get(answers[0] or "other", EventType.other)
    return MainEvent(event_type=event_type, date=options.event_date(event_type), place=chosen.get("place"),
                     region=region, country=options.country_of(chosen.get("place")) or chosen.get("country"),
                     region_basis=basis, within=picked if picked != chosen["place"] else None)


def _date_and_location(main: MainEvent, options: Options, candidates: Candidates, order: dict[str, int]) -> dict:
    out: dict[str, Any] = {}
    if main.date:
        dating = [d for d in candidates.dates if d.value == main.date and d.sentence_id in order and not d.background]
        about = [d for d in dating if dates.names_event(options.texts.get(d.sentence_id, ""), main.event_type.value)]
        said = sorted(about if len(main.date) < 10 else dating, key=lambda d: (d.relative, order[d.sentence_id]))
        out["date"] = built(EventDate, said[0].sentence_id, value=main.date, precision=said[0].precision,
                            text=said[0].text[:120],
                            citations=list(dict.fromkeys(d.sentence_id for d in said))[:4]) if said else None
    chosen = [(main.place, options.places), (main.region, options.regions), (main.country, options.countries)]
    mentioned = Counter(sid for name, table in chosen if name for sid in table.get(name, []))
    if mentioned:
        citations = sorted(mentioned, key=lambda sid: (-mentioned[sid], order[sid]))[:4]
        out["location"] = built(Location, citations[0], place=main.place, region=main.region, country=main.country,
                                citations=citations, region_basis=main.region_basis)
    return out


def draft_sections(session: Session, sources: Sources, candidates: Candidates, shown: Shown,
                   timings: dict[str, float]) -> dict:
    clock = time.perf_counter()
    visible = shown.sentences
    order = {s.id: i for i, s in enumerate(visible)}
    options = Options.of(candidates, set(order), {s.id: s.text for s in visible})
    main = _main_event(session, options)
    timings["main_event"] = time.perf_counter() - clock
    clock = time.perf_counter()
    scope = EventScope(main, candidates, {s.id: s.text for s in visible})
    on_main = [s for s in visible if scope.is_main(s.id)]
    anchored = ({c.sentence_id for c in candidates.figures} | {a.sentence_id for a in candidates.attributions}
                | {sid for name in (main.place, main.date) if name
                   for sid in options.places.get(name, []) + options.dates.get(name, [])})
    titles = {d.title for d, _ in shown.documents}
    ledes = [s for s in on_main if s.text not in titles] or on_main or visible  # a report's lead tells the event
    title = _fallback_headline(shown) or ledes[0].text
    out: dict[str, Any] = {"event_type": main.event_type, **_date_and_location(main, options, candidates, order)}
    out["figures"] = merge_figures([c for c in candidates.figures if c.sentence_id in order and scope.is_main(c.sentence_id)])
    speakers = [Speaker(s.name, [a for a in s.attributions if scope.is_main(a.sentence_id)])
                for s in group_speakers([a for a in candidates.attributions if a.sentence_id in order])]
    speakers = sorted((s for s in speakers if s.attributions), key=lambda s: -len(s.sentence_ids))
    lowercase = lowercase_words(sources)
    roles = [(s, actor_role(s, sources, lowercase)) for s in speakers]
    listed = [(actor_name(s, sources), role) for s, role in roles if role]
    actors = (built(Actor, cited[0], name=name[:120], role=role, citations=cited[:4]) for (name, cited), role in listed)
    out["actors"] = [a for a in actors if a][: LIMITS["actors"]]
    vectors = dict(zip((s.id for s in visible), sentence_vectors([s.text for s in visible])))
    figure_sentences = {c.sentence_id for c in candidates.figures}
    aftermath = pick_sentences([s for s in on_main if AFTERMATH.search(s.text)], LIMITS["aftermath"], vectors, False)
    related = pick_sentences([s for s in visible if not scope.is_main(s.id) and s.id in figure_sentences],
                             LIMITS["related_events"], vectors, False)
    used = {s.id for s in aftermath + related}
    key_points = pick_sentences([s for s in on_main if s.id not in used and s.id in anchored
                                 and reads_as_prose(s.text)], LIMITS["key_points"], vectors, True)
    timings["rules"] = time.perf_counter() - clock

    # Everything the model writes, in one call: the headline over the cached sources (naming the chosen event keeps a
    # small model from headlining a side event) and a claim per main speaker over a short prompt of its own.
    clock = time.perf_counter()
    event = main.describe()
    claimants = speakers[: LIMITS["claims"]]
    cited = [[sources.sentence(sid) for sid in speaker.sentence_ids[:4]] for speaker in claimants]
    noted = [(field, s) for field, picked in (("key_points", key_points), ("aftermath", aftermath),
                                              ("related_events", related)) for s in picked]
    opening = " ".join(s.text for s in ledes[:2])
    jobs = [("headline", session.task("headline", event=shown_text(event), opening=shown_text(opening)), "headline")]
    jobs += [("claim", render_prompt("claim", event=event, speaker=shown_text(speaker.name),
                                     sentences=[shown_text(s.text) for s in said[:3]]), "claim")
             for speaker, said in zip(claimants, cited)]
    written = session.write(jobs)
    headline = written[0] if dates_only_the_event(written[0], main.date) else ""
    out["headline"] = grounded(headline, visible, "headline", title)
    claims = (built(Claim, speaker.sentence_ids[0], claimant=speaker.name[:120],
                    statement=_claim_statement(text, said, speaker.name),
                    stance=Stance.denies if any(a.stance == "denies" for a in speaker.attributions) else Stance.asserts,
                    citations=speaker.sentence_ids[:4])
              for speaker, said, text in zip(claimants, cited, written[1:]))
    out["claims"] = [c for c in claims if c]
    for field in ("key_points", "aftermath", "related_events"):
        made = (built(Note, sentence.id, text=trimmed(sentence.text, TEXT_LIMITS["note"]), citations=[sentence.id])
                for kind, sentence in noted if kind == field)
        out[field] = [n for n in made if n]
    timings["write"] = time.perf_counter() - clock
    return out


def _single_schema(ids: list[str]) -> dict:
    """EventSummary's own schema, with each citation an enum of the sentence ids the model was shown."""
    def narrow(node):
        if isinstance(node, dict):
            if node.get("pattern") == r"^d[0-9]+:[0-9]+$":
                return {"type": "string", "enum": ids}
            return {k: narrow(v) for k, v in node.items()}
        if isinstance(node, list):
            return [narrow(v) for v in node]
        return node

    return narrow(EventSummary.model_json_schema())


def draft_single(session: Session, sources: Sources, shown: Shown, timings: dict[str, float]) -> dict:
    """The whole schema in one constrained call (the measured alternative). List items that fail validation, cite
    nothing, echo a withheld sentence, or carry a number or ranking word their cited sentences do not state are
    dropped; a headline that does either is replaced by source text. The model's bottom line is not used: `generate`
    composes it."""
    clock = time.perf_counter()
    visible = shown.sentences
    [raw] = session.ask([Ask("single", session.task("single"), _single_schema([s.id for s in visible]), 1500,
                             json.loads, repeat_penalty=1.1)])
    timings["single"] = time.perf_counter() - clock

    def written(text: str, cited: list[Sentence]) -> bool:
        return bool(cited) and not session.echoes_withheld(text) and states_only_what_is_cited(text, cited)

    title = _fallback_headline(shown) or visible[0].text
    out: dict[str, Any] = {"event_type": raw.get("event_type") or EventType.other}
    headline = raw.get("headline") or ""
    out["headline"] = headline if written(headline, visible) else trimmed(title, TEXT_LIMITS["headline"])
    for field, model in (("date", EventDate), ("location", Location)):
        out[field] = validated(model, f"the model's {field}", raw[field]) if raw.get(field) else None
    item_text = {"figures": lambda f: f"{f.text} ({f.value_min})", "claims": lambda c: c.claimant + " " + c.statement,
                 "actors": lambda a: a.name}
    for field, model in (("actors", Actor), ("figures", Figure), ("claims", Claim), ("aftermath", Note),
                         ("related_events", Note), ("key_points", Note)):
        out[field] = []
        for item in raw.get(field) or []:
            parsed = validated(model, f"the model's {field}", item)
            if parsed is None:
                continue
            cited = [s for sid in parsed.citations if (s := sources.sentence(sid))]
            if written(item_text.get(field, lambda n: n.text)(parsed), cited):
                out[field].append(parsed)
    return out
