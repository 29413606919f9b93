"""One index over every catalog entry, compiled once; a scan costs the length of the text, not the catalog's size.

Exact codes go into a dict looked up per word of the text; phrases (and codes that are not single words) go into
one Aho-Corasick automaton (pyahocorasick) over the case-folded text. A scan returns every match with where it
was found (the error, an answer, a file, Azure evidence), how deeply it is nested in JSON (the innermost error of
a nested ARM error wins) and whether the text around it negates it ("not a 429", "ruled out the firewall")."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Literal

import ahocorasick

from shared.catalog.facts import REPORT_CHARS, named_groups, unwrapped
from shared.catalog.loader import all_entries
from shared.catalog.schema import CatalogEntry

Kind = Literal["code", "phrase"]
Origin = Literal["error", "answer", "evidence", "file"]
ORIGIN_WEIGHT: dict[str, int] = {"error": 3, "answer": 3, "evidence": 2, "file": 1}

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SPACE = re.compile(r"\s+")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})
# JSON and Python-dict bodies are printed compact or pretty ("code":"404" or "code": "404"): the gap after a quoted
# key's colon and between quoted items is dropped, so one phrase matches both forms.
_JSON_GAP = re.compile(r"""(["'])[ \t]*([:,])[ \t]*(?=["'{\[\d])""")
_BRACES = re.compile(r"[{}]")
# A cue that the writer is denying the thing named right after it, in the same clause ("it is not a 429",
# "we ruled out the firewall", "no AuthorizationFailure in the logs"). Error messages' own "does not exist" or
# "is not authorized" are not cues: they are part of the error, so only these prose forms count.
# a cue's scope ends at a clause's end: a full stop, a colon that introduces the error, or "but" ("I can browse the
# containers without issues, but expanding Tables gives: <error>" does not deny the error)
_NEGATION_BEFORE = re.compile(
    r"(?:\b(?:not|never) (?:a|an|the|any|caused by|due to|related to|seeing|getting|about)\b"
    r"(?:(?!\bbut\b)[^.;:!?\n]){0,40}"
    r"|\b(?:isn't|wasn't|aren't|weren't|ruled out|rule out|excluded|exclude|nothing to do with|no sign of|"
    r"don't see|didn't see|do not see|did not see|without)\b(?:(?!\bbut\b)[^.;:!?\n]){0,40}"
    r"|\bno (?:more )?)$", re.IGNORECASE)
_NEGATION_AFTER = re.compile(
    r"^[^.;!?\n]{0,30}\b(?:(?:is|was|are|were|has been|have been) (?:ruled out|excluded|not the (?:cause|issue|"
    r"problem))|isn't the (?:cause|issue|problem)|ruled out)\b", re.IGNORECASE)


# A log stream prefixes every line with its time and level, and an issue quotes every line with "> ": a message
# the service wrapped over two lines reads as one only without them.
_LINE_PREFIX = re.compile(
    r"(?m)^[ \t]*(?:>[ \t]*)*(?:\[?\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?\]?[ \t]*"
    r"(?:(?:\[(?:Error|Warning|Information|Debug|Trace|fail|crit|warn|info|dbug)\]:?|(?:ERROR|WARNING|WARN|INFO|DEBUG|TRACE)\b:?)"
    r"[ \t]+)?)?")  # a bare "Error" can begin the message itself: only a bracketed or upper-case level is a prefix


# Azure's messages change style over time (Microsoft's style guide now contracts "does not" to "doesn't" and says
# "allowlist" for "whitelist"), and people retype them either way: a phrase also matches its sibling wordings.
_SIBLINGS = (("does not", "doesn't"), ("do not", "don't"), ("is not", "isn't"), ("are not", "aren't"),
             ("was not", "wasn't"), ("were not", "weren't"), ("cannot", "can't"), ("could not", "couldn't"),
             ("did not", "didn't"), ("has not", "hasn't"), ("have not", "haven't"), ("whitelist", "allowlist"))
_SIBLING_WORDS = {form: re.compile(rf"\b{re.escape(form)}" + ("" if form.endswith("list") else r"\b"))
                  for pair in _SIBLINGS for form in pair}  # "whitelisted" too


def sibling_forms(phrase: str) -> tuple[str, ...]:
    """The phrase (lower case), and its forms with every long negation contracted and with every contraction
    spelled out (allowlist and whitelist likewise)."""
    phrase = phrase.lower()
    forms = [phrase]
    for source, target in ((0, 1), (1, 0)):
        form = phrase
        for pair in _SIBLINGS:
            form = _SIBLING_WORDS[pair[source]].sub(pair[target], form)
        if form not in forms:
            forms.append(form)
    return tuple(forms)


# A SQL error number is printed differently by each client: "Error Number:40544" (.NET), "Msg 40544, Level 17"
# (sqlcmd, SSMS), "SqlErrorNumber=40544" and "Number=40544,State=2" (Data Factory), "Error 40544 State 2" (a
# connector's message), "(40544) (SQLExecDirectW)" (pyodbc), "SQL Error: 40544," (Hibernate / JDBC). An entry of
# a SQL service that holds one of the forms matches the others too.
_SQL_NUMBER_PHRASE = re.compile(r"^(?:error number: ?|error: |msg )(\d{3,6})(?:, level \d+)?$")
_SQL_NUMBER_FORMS = ("error number:{n}", "error number: {n}", "msg {n}, level", "sqlerrornumber={n}",
                     "number={n},state", "error {n} state", "error {n}, level", "({n}) (sqlexecdirectw)",
                     "({n}) (sqldriverconnect)", "sql error: {n},")


def sql_number_forms(service: str, phrase: str) -> tuple[str, ...]:
    """The other clients' forms of a SQL error number phrase (lower case); none for another service's phrase."""
    number = _SQL_NUMBER_PHRASE.match(phrase.lower()) if "sql" in service.lower() else None
    return tuple(form.format(n=number.group(1)) for form in _SQL_NUMBER_FORMS) if number else ()


def normalize(text: str) -> str:
    """Curly quotes straightened, log-line prefixes dropped and runs of whitespace made one space: a phrase
    matches across line breaks."""
    return _JSON_GAP.sub(r"\1\2", _SPACE.sub(" ", _LINE_PREFIX.sub("", text.translate(_QUOTES))))


@dataclass(frozen=True)
class Match:
    entry: CatalogEntry
    kind: Kind
    found: str
    origin: Origin
    start: int
    depth: int
    negated: bool
    context: str = ""  # the text around the match, for the report's evidence


@dataclass
class EntryHit:
    """Every non-negated match of one entry, and the facts its `facts` patterns found."""

    entry: CatalogEntry
    matches: list[Match]
    facts: dict[str, str] = field(default_factory=dict)

    @property
    def exact(self) -> bool:
        return any(m.kind == "code" for m in self.matches)

    @property
    def origins(self) -> set[str]:
        return {m.origin for m in self.matches}

    def rank(self) -> tuple[int, ...]:
        """Higher is better. A real cause over an envelope wherever each was said (an envelope's code in the error
        text says less than the inner error Azure's deployment operations show), then where it was said, an exact
        code over a phrase, the innermost nesting, then specificity (the longest text matched, how many forms
        matched)."""
        best = max(self.matches, key=lambda m: (ORIGIN_WEIGHT[m.origin], m.kind == "code", m.depth, len(m.found)))
        longest = max(len(m.found) for m in self.matches if m.origin == best.origin)  # one code, two entries: the
        return (not self.entry.wrapper, ORIGIN_WEIGHT[best.origin], best.kind == "code", best.depth,  # one whose
                len(best.found), longest, len({m.found.lower() for m in self.matches}))  # message matched longer


class CatalogIndex:
    """Compiled once from a list of entries (the whole catalog, or a subset for a benchmark)."""

    def __init__(self, entries: Sequence[CatalogEntry]) -> None:
        self.entries = tuple(entries)
        self._codes: dict[str, list[int]] = {}
        self._automaton = ahocorasick.Automaton()
        phrases: dict[str, list[tuple[int, Kind]]] = {}
        for number, entry in enumerate(self.entries):
            for code in entry.codes:
                if _WORD.fullmatch(code):
                    self._codes.setdefault(code, []).append(number)
                else:
                    phrases.setdefault(normalize(code).lower(), []).append((number, "code"))
            for phrase in entry.phrases:
                for form in (*sibling_forms(normalize(phrase)), *sql_number_forms(entry.service, normalize(phrase))):
                    owners = phrases.setdefault(form, [])
                    if (number, "phrase") not in owners:
                        owners.append((number, "phrase"))
        for key, owners in phrases.items():
            self._automaton.add_word(key, (key, tuple(owners)))
        if phrases:
            self._automaton.make_automaton()
        self._has_phrases = bool(phrases)

    def scan(self, text: str, origin: Origin) -> list[Match]:
        """Every match in one text, in text order."""
        flat = normalize(text)
        raw: list[tuple[int, int, int, Kind]] = []  # start, end, entry number, kind
        for word in _WORD.finditer(flat):
            for number in self._codes.get(word.group(), ()):
                raw.append((word.start(), word.end(), number, "code"))
        if self._has_phrases:
            folded = flat.lower()
            for end, (key, owners) in self._automaton.iter(folded):
                start = end - len(key) + 1
                if _bounded(folded, start, end + 1):
                    raw += [(start, end + 1, number, kind) for number, kind in owners]
        raw.sort()
        depths = _depths(flat, [r[0] for r in raw])
        width = _EVIDENCE_WIDTH if origin == "evidence" else _CONTEXT_WIDTH  # Azure's message is quoted whole
        history = resolved_entries_folded(text, flat)  # log entries marked resolved: their lines are gone in `flat`
        return [Match(self.entries[number], kind, flat[start:end], origin, start, depth,
                      negated(flat, start, end) or _within(history, start), _context(flat, start, end, width))
                for (start, end, number, kind), depth in zip(raw, depths, strict=True)]

    def hits(self, texts: Iterable[tuple[str, Origin]], originals: Iterable[str] = ()) -> list[EntryHit]:
        """The entries matched in the texts, best first; negated matches do not count. Facts come from the
        entries' own patterns run over the original texts."""
        texts = list(texts)
        whole = "\n".join(text for text, _ in texts)
        by_entry: dict[str, EntryHit] = {}
        required: dict[str, bool] = {}  # an entry's `requires` over the whole material, judged once per entry

        def context_holds(match: Match) -> bool:
            entry = match.entry
            if entry.id not in required:  # the words may sit on two lines of a wrapped paste
                # long material (logs read in Azure, files): the report's head and the words around the match, so
                # that a required context costs the same whatever the material's length
                near = wholes() if len(whole) <= REPORT_CHARS else (whole[:REPORT_CHARS] + "\n" + match.context,)
                required[entry.id] = any(re.search(entry.requires, text) is not None for text in near)
            return required[entry.id]

        @cache
        def wholes() -> tuple[str, ...]:
            joined = unwrapped(whole)
            return (whole, joined) if joined != whole else (whole,)

        for text, origin in texts:
            # an entry whose required context is absent is not there at all: it must not hide another entry's code
            present = [m for m in self.scan(text, origin) if not m.entry.requires or context_holds(m)]
            for match in _outside_longer_codes(present):
                if not match.negated:
                    by_entry.setdefault(match.entry.id, EntryHit(match.entry, [])).matches.append(match)
        said = whole.lower() if len(by_entry) > 1 else ""
        # equal ranks (one code shared by two services' entries): the entry of the service the report names wins,
        # then one whose required context holds (it names the case of that error the report shows)
        ranked = sorted(by_entry.values(), key=lambda h: (h.rank(), _service_named(h.entry, said),
                                                          names_a_context(h.entry), -len(h.entry.id)), reverse=True)
        sources = list(originals)
        for hit in ranked[:10]:
            hit.facts = named_groups(hit.entry.facts, sources)
        return ranked


def _outside_longer_codes(matches: list[Match]) -> list[Match]:
    """The matches without a code that is only a part of a longer code or phrase of another entry at the same place:
    the bare `QuotaExceeded` inside `EventHubsException(QuotaExceeded)` is that exception's code, not every
    service's QuotaExceeded (longest match, as a tokenizer would read it)."""
    return [m for m in matches if not (m.kind == "code" and any(
        o.entry.id != m.entry.id and o.start <= m.start and o.start + len(o.found) >= m.start + len(m.found)
        and len(o.found) > len(m.found) for o in matches))]


_SERVICE_NOISE = frozenset({"azure", "microsoft", "service", "services", "for", "the", "and", "sdk", "api", "legacy"})


def names_a_context(entry: CatalogEntry) -> bool:
    """Whether the entry's `requires` asks for words of its own case (a lookahead or a pattern), not only excludes
    other cases (a bare negative lookahead: that is no sign the report is this case)."""
    return bool(entry.requires) and not (_EXCLUSION_ONLY.match(entry.requires) and "(?=" not in entry.requires)


_EXCLUSION_ONLY = re.compile(r"\(\?[a-zA-Z]*\)\\A\(\?!")


def _service_named(entry: CatalogEntry, said: str) -> bool:
    """Whether the texts name a word of the entry's service ("openai" of "Azure OpenAI")."""
    words = re.findall(r"[a-z][a-z0-9]{2,}", entry.service.lower())
    return any(word in said for word in words if word not in _SERVICE_NOISE)


_CONTEXT_WIDTH = 110
_EVIDENCE_WIDTH = 500  # a log row or a run's error message, which the client has not seen: its whole message


def _context(text: str, start: int, end: int, width: int = _CONTEXT_WIDTH) -> str:
    """The match with up to `width` characters either side, cut at a line's or a sentence's edge when one is near."""
    head = text[max(0, start - width):start]
    head = head[max(head.rfind(". "), head.rfind("] ")) + 2:] if (". " in head or "] " in head) else head
    return (head + text[start:end + width]).strip()


def _bounded(text: str, start: int, end: int) -> bool:
    """A phrase that starts or ends with a letter or digit matches only at word boundaries."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    head, tail = text[start], text[end - 1]
    return not ((head.isalnum() and before.isalnum()) or (tail.isalnum() and after.isalnum()))


def _depths(text: str, starts: list[int]) -> list[int]:
    """JSON nesting depth at each (sorted) position, counted in one pass over the text."""
    depths, depth = [], 0
    braces = _BRACES.finditer(text)
    pending = next(braces, None)
    for start in starts:
        while pending is not None and pending.start() < start:
            depth += 1 if pending.group() == "{" else -1
            pending = next(braces, None)
        depths.append(max(depth, 0))
    return depths


def negated(text: str, start: int, end: int) -> bool:
    """Whether the prose around text[start:end] denies it (only the writer's own cues; see _NEGATION_BEFORE), or
    the writer marks it resolved before a later error (`superseded`, or a log entry whose head says so:
    `resolved_entries`)."""
    return bool(_NEGATION_BEFORE.search(text[max(0, start - 60):start])
                or _NEGATION_AFTER.search(text[end:end + 60])) or superseded(text, end) \
        or _within(resolved_entries(text), start) or former(text, start) or expected_instead(text, start, end)


# The writer's account of what the service used to answer before the error shown now ("Until yesterday a send to a
# missing queue threw MessagingEntityNotFound and our code handled it. Now we get: ...", "we used to get a 404",
# "a 401 instead of MessagingEntityNotFound"): that error is the expected or earlier behaviour, not the cause. The cue
# must open the same clause as the match; a turn to now ("now", "but", "started", "since", "when") ends its scope.
_FORMER_CUE = re.compile(
    r"\b(?:until (?:yesterday|recently|last (?:week|month|night|friday|monday|release|update)|the (?:upgrade|update))"
    r"|used to (?:get|see|throw|return|receive|raise|fail with|be)|(?:it )?previously (?:threw|returned|raised|gave)"
    r"|where it used to)\b", re.IGNORECASE)
_FORMER_TURN = re.compile(r"\b(?:now|today|currently|still|again|but|started|starts|begun|began|since|when|then)\b"
                          r"|[.;:!?\n]", re.IGNORECASE)
_FORMER_WINDOW = 120


# "a 401 instead of MessagingEntityNotFound": the code right after the cue is the one expected, not the one got. Only a
# code (one token) counts: advice such as "allow 'all networks' instead of 'selected networks'" names a setting.
_INSTEAD_CUE = re.compile(r"\b(?:instead of|rather than)(?: the)?(?: expected)?\W{0,3}$", re.IGNORECASE)


def expected_instead(text: str, start: int, end: int) -> bool:
    """Whether the match is a code the writer says was expected instead of the error got."""
    return not re.search(r"\s", text[start:end]) and bool(_INSTEAD_CUE.search(text[max(0, start - 40):start]))


def former(text: str, start: int) -> bool:
    """Whether the match at `start` is the behaviour the writer says came before (or was expected instead of) the
    error shown: a former-time cue earlier in its clause with no turn to the present between the two."""
    head = text[max(0, start - _FORMER_WINDOW):start]
    cues = list(_FORMER_CUE.finditer(head))
    return bool(cues) and _FORMER_TURN.search(head, cues[-1].end()) is None


# A log or report that keeps an earlier error the writer marks as resolved ("(resolved: role assigned ...)",
# "-> fixed: az provider register ...") beside the error it shows now: the earlier one is history, not the cause.
# Only explicit markers count (an arrow before the word, a parenthesis before it and a colon, "by", "that" ... after
# it, or the word opening a line or a sentence with a colon after it: never a message's own "can be fixed by" or a
# tool's "Address resolved:"), and only when an error follows the marker's clause and nothing up to the clause's
# end says it came back ("still", "again", "but").
_RESOLVED_MARK = re.compile(
    r"\(\s*(?:now\s+)?(?:resolved|fixed)(?:\s*[:)]|\s+(?:by|since|on|after|that|it|this|now|yesterday|last)\b)"
    r"|(?:->|=>|\u2192)\s*(?:resolved|fixed)\b"  # never "(fixed port ...)", "(fixed string ...)": an adjective
    r"|(?:^|[.;]\s)[ \t]*(?:resolved|fixed)\s*:|(?-i:\b(?:Resolved|RESOLVED|Fixed|FIXED)):"  # a line's head, which
    # the folded text no longer shows, keeps its capital; never "Address resolved: ..."
    r"|\b(?:fixed|solved|resolved) (?:it|that|this|the (?:issue|problem|error))\b"  # "... and registering fixed it."
    # "That one went away after we gave ...", "this error disappeared once ...": the writer's own account that the
    # error above ended (never "it stopped working" or "we hoped it went away", and "for a while" or "but" still
    # count as it coming back)
    r"|(?<!hoped )(?<!hope )(?<!thought )(?<!expected )(?<!assumed )(?<!wished )(?<!wish )(?<!sure )(?<!if )"
    r"\b(?:that|this|which|it)(?: one| error| issue| problem| exception)? (?:went away|disappeared|vanished|"
    r"(?:is|was) gone|stopped (?:after|once|when|since|as soon as))\b",
    re.IGNORECASE | re.MULTILINE)
_CLAUSE_END = re.compile(r"\)|\n|\.\s")
_LATER_ERROR = re.compile(
    r"\b(?:error|exception|failed|failure|denied|forbidden|refused|errorcode|not found|does not exist|"
    r"unauthorized|timed out|timeout)\b|\b[A-Z][a-z]+(?:[A-Z][a-z0-9]+){2,}\b")
_RECURRED = re.compile(
    r"\b(?:still|again|same (?:error|issue|problem)|came back|comes back|is back|reappear\w*|recurr\w*|"
    r"did ?n[o']t help|no luck|not (?:resolved|fixed)|persists?|but|until|temporar\w*|for a while)\b", re.IGNORECASE)
_RESOLVED_WINDOW = 300


def superseded(text: str, end: int) -> bool:
    """Whether the writer marks the error ending at `end` as resolved, within a few lines after it, and a later
    error follows the marker's clause: a log that quotes last week's fixed error above today's."""
    mark = _RESOLVED_MARK.search(text, end, end + _RESOLVED_WINDOW)
    if mark is None:
        return False
    closed = _CLAUSE_END.search(text, mark.end())
    if closed is None or _RECURRED.search(text[end:closed.end() + 40]):
        return False
    return _LATER_ERROR.search(text, closed.end()) is not None


# A log entry whose head line the writer marks resolved ("[2026-11-30 14:02:51] (RESOLVED 12-01: autoscale on)",
# "Dec 6, 16:40 - FIXED: pods stuck in ImagePullBackOff:", "Run 311 (Dec 1) - failed, FIXED Dec 2 by ...") holds its
# error on the lines indented under that head (or on the head line itself). With an error in the material after the
# entry, the entry is history too, as when the marker follows the error (`superseded`). The marker must be the
# writer's: in brackets, after a dash or comma, in capitals, or followed by a colon, a date or "by"/"on"/"since"...;
# an entry that says the error came back or speaks of now ("still", "again", "now", "currently") is not history.
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_HEAD_MARK = re.compile(
    r"[(\[]\s*(?:resolved|fixed)\b"
    r"|(?:^|\s)(?:[-\u2013\u2014]+|->|=>|\u2192)\s*(?:resolved|fixed)\b|,\s*(?:resolved|fixed)\b"
    r"|(?-i:\b(?:RESOLVED|FIXED)\b)"
    rf"|\b(?:resolved|fixed)(?:\s*:|\s+(?:on|by|since|in|with|after|\d|{_MONTH}\s*\d)\b)",
    re.IGNORECASE)
_ANY_MARK = re.compile(r"(?i)\b(?:resolved|fixed)\b")
_ENTRY_NOW = re.compile(r"(?i)\b(?:now|currently|current|today|since then)\b")
# an error after the entry: _LATER_ERROR's words in any case ("ERROR:"), or a code that ends in a failure's word
# ("AuthorizationFailed", "OOMKilled")
_ENTRY_ERROR = re.compile(
    r"(?i:\b(?:error|exception|failed|failure|denied|forbidden|refused|errorcode|not found|does not exist|"
    r"unauthorized|timed out|timeout)\b)"
    r"|\b[A-Z]\w*(?:Failed|Failure|Error|Exception|NotFound|Denied|Forbidden|Killed|Exceeded|Invalid)\b")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


@lru_cache(maxsize=64)
def resolved_entries(text: str) -> tuple[tuple[int, int], ...]:
    """The spans (start, end) of the lines the writer marks as history: log entries marked resolved that an error
    follows (see _HEAD_MARK), and the lines of an HTTP status the writer says stopped while another error stays
    (`_status_history`). Needs the text's lines: on a folded text it finds nothing."""
    if "\n" not in text:
        return ()
    return tuple(sorted(set(_marked_entries(text)) | set(_status_history(text))))


# The writer's account that the errors of one HTTP status ended ("The 403s stopped on Dec 1 when we assigned ...",
# "the 429 errors went away after the scale-up"): the lines that quote that status are history when another error,
# on a line without it, is in the material. Never when the sentence says they came back or only paused ("for a
# while", "but", "again").
_STATUS_ENDED = re.compile(
    r"(?i)\b(?:the|those|these|our|all (?:the )?)\s*(?P<status>[1-5]\d\d)s?(?:\s+(?:errors?|responses?|failures?))?"
    r"\s+(?:stopped|went away|disappeared|vanished|(?:are|were) gone|ended)\b[^\n]*")


def _status_lines(status: str) -> re.Pattern[str]:
    """A line that quotes the status as a number of its own (never inside a time, an id or a longer number)."""
    return re.compile(rf"(?<![\w.:/-]){status}(?![\w.:/-])")


def _status_history(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for said in _STATUS_ENDED.finditer(text):
        if _RECURRED.search(said.group(0)):
            continue
        quoted = _status_lines(said.group("status"))
        history: list[tuple[int, int]] = []
        current, offset = False, 0
        for line in text.splitlines(keepends=True):
            start, offset = offset, offset + len(line)
            if start <= said.start() < offset or not _ENTRY_ERROR.search(line):  # the writer's sentence, no error
                continue
            if quoted.search(line):
                history.append((start, offset))
            else:
                current = True
        if current:
            spans += history
    return spans


def _marked_entries(text: str) -> list[tuple[int, int]]:
    if not _ANY_MARK.search(text):
        return []
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    spans = []
    for number, head in enumerate(lines):
        if not head.strip() or not _HEAD_MARK.search(head) or _RECURRED.search(head):
            continue
        last = number
        while last + 1 < len(lines) and lines[last + 1].strip() and _indent(lines[last + 1]) > _indent(head):
            last += 1
        start, end = starts[number], starts[last + 1]
        entry = text[start:end]
        if _RECURRED.search(entry) or _ENTRY_NOW.search(entry) or not _ENTRY_ERROR.search(entry):
            continue
        if _ENTRY_ERROR.search(text, end) is not None:
            spans.append((start, end))
    return spans


def resolved_entries_folded(text: str, flat: str) -> tuple[tuple[int, int], ...]:
    """`resolved_entries` of the text, placed in its folded form (`normalize`), where the catalog scans."""
    spans, cursor = [], 0
    for start, end in resolved_entries(text):
        entry = normalize(text[start:end]).strip()
        at = flat.find(entry, cursor) if entry else -1
        if at >= 0:
            spans.append((at, at + len(entry)))
            cursor = at + len(entry)
    return tuple(spans)


def _within(spans: tuple[tuple[int, int], ...], position: int) -> bool:
    return any(start <= position < end for start, end in spans)


def first_affirmed(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """The first match of the pattern that the text does not negate ("it is not a 429", "we ruled out the firewall");
    at most 21 matches are weighed, a bound on texts that repeat a denied phrase."""
    for count, match in enumerate(pattern.finditer(text)):
        if not negated(text, match.start(), match.end()):
            return match
        if count >= 20:
            break
    return None


@lru_cache(maxsize=1)
def catalog_index() -> CatalogIndex:
    """The index of the whole catalog, built once per process."""
    return CatalogIndex(all_entries())
