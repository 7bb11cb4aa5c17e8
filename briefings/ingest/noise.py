"""What one line of a web page looks like when it is not the story.

Each rule describes a kind of page furniture in general terms (a share bar, a byline, a photo
credit, a donation appeal), never a particular site's wording. `line_noise` returns the kind,
or None for a line that may be story; the page-level rules in clean.py use the context."""

from __future__ import annotations

import re

from briefings.ingest.words import word_set

_I = re.IGNORECASE
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
DATE = re.compile(
    rf"\b(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}\s+{_MONTH},?\s+\d{{4}}|"
    r"\d{4}-\d{2}-\d{2})\b",
    _I,
)
_TIME = re.compile(r"\b\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s+[A-Z]{2,4})?\b", _I)
_WEEKDAY = re.compile(r"\b(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?\b", _I)

ADVERT = re.compile(
    r"^[\W_]*(?:advertisement|advertising|sponsored(?: content)?|ad|promoted|"
    r"(?:story )?continues? (?:below|after)(?: (?:this )?(?:advertisement|ad))?|"
    r"scroll to continue(?: with content)?)[\W_]*$",
    _I,
)
_SHARE_WORDS = word_set(
    """share shares shared tweet facebook twitter x whatsapp telegram linkedin reddit email
    e-mail mail print copy link url pinterest messenger flipboard threads bluesky save
    bookmark this article story on via to page comment comments sms"""
)
# Bylines, and a broadcast's or a podcast's credits ("Hosted by ...", "Produced by ...").
# A bare "By" takes a name ("By Delia Marchetti"), not "By most accounts, ...".
BYLINE = re.compile(
    r"^(?:(?i:written by|words by|reporting by|reported by|posted by|story by|text by|"
    r"hosted by|presented by|produced by|edited by|narrated by)\s+\S|(?i:by)\s+[A-Z@]|"
    # A credit at the foot: "Additional reporting by wire services", "Video edited by ...",
    # "Translations by ...", "Compiled by Ann Lee, with ..." (a name, not "Compiled by the
    # panel, the list ...").
    r"(?i:(?:additional|further|extra) (?:reporting|research)|translations?|"
    r"(?:video|audio|photos?|graphics?|maps?|design|sound) (?:edited|produced|shot|filmed|"
    r"made|designed|mixed)) by\s+\S|"
    r"(?i:compiled|translated) by (?:[A-Z][\w'’.-]+ ?){1,3}(?:,|$|\.| and | with ))"
)
STAMP = re.compile(r"^(?:first\s+)?(?:published|updated|last updated|posted|modified)\b", _I)
READING_TIME = re.compile(
    r"\b\d+\s*(?:-\s*)?(?:min|mins|minutes?)\s+(?:read|listen)\b|"
    r"\breading time\b",
    _I,
)
COMMENTS = re.compile(
    r"^(?:leave|post|add|write|submit) an? (?:comment|reply|response)\b|\b(?:no|\d+)\s+comments?\b|"
    r"\bcomments? (?:are|is|have been|has been) (?:now )?(?:closed|disabled|turned off)\b|"
    r"^(?:view|show|load|see|read)\s+(?:all\s+)?(?:\d+\s+)?comments\b|"
    r"\bjoin the (?:conversation|discussion)\b|^comments?(?:\s*\(\d+\))?$",
    _I,
)
# The heading of a comment thread: everything after it is readers talking.
COMMENT_THREAD = re.compile(
    r"^[\W_]*(?:(?:reader |user |listener )?comments?(?:\s*\(\d+\))?|\d+ comments?|"
    r"join the (?:conversation|discussion)|what (?:our )?readers (?:say|think))[\W_]*$",
    _I,
)
CREDIT = re.compile(
    r"[(\[](?:image|photo|picture|video|graphic|illustration|file)s?\s*"
    r"(?:credit|courtesy|source|by)?\s*:[^)\]]*[)\]]\s*$|"
    r"^(?:photo(?:graph)?|image|picture|credit|source|file photo|illustration)s?\s*(?:credit)?\s*:|"
    r"\b(?:photo|image|picture)s?\s+(?:by|credit|courtesy(?: of)?)\s|"
    r"[/|]\s*(?:getty images|afp|reuters|ap|epa|shutterstock|alamy)[\w ]*\s*$",
    _I,
)
# Photo captions name who stands where: "Putin (left) and Kim ...", "(second right)", "(L)".
CAPTION = re.compile(
    r"[(\[](?:(?:second|third|far|front|back|top|bottom|centre|center)[\s-]+)?"
    r"(?:left|right|centre|center|front|rear|l|r|c|pictured)[)\]]",
    _I,
)
LEGAL = re.compile(
    r"©|\(c\)\s*\d{4}|\bcopyright\b|\ball rights reserved\b|\bterms (?:of|and) (?:use|service)\b|"
    r"\bprivacy (?:policy|notice)\b|\bcookie (?:policy|settings|preferences)\b",
    _I,
)
# A footer that opens with its copyright line is legal text however long it runs.
LEGAL_START = re.compile(r"^(?:©|\(c\)\s*\d{4}|copyright\s*(?:©|\(c\)|\d{4}))", _I)
SOCIAL_LINK = re.compile(
    r"pic\.twitter\.com/|\bt\.co/|(?:twitter|x)\.com/\w+/status|instagram\.com/(?:p|reel)/|"
    r"tiktok\.com/@|youtu\.be/|youtube\.com/watch|facebook\.com/\S+/posts",
    _I,
)
# "— Name (@handle) June 18, 2024": the line that closes an embedded post.
POST_HANDLE = re.compile(r"^[—–-]{1,2}\s*.{0,80}\(@\w{1,30}\)\s*(?:.{0,40}\d{4})?\s*$")
# "Correction: This article was amended on ...", "An earlier version of this story said ...".
CORRECTION = re.compile(
    rf"^(?:corrections?|clarifications?|editor'?s note|update)(?:,? (?:{DATE.pattern}))?\s*[:—–-]|"
    r"\bthis (?:article|story|report|piece|post) (?:was|has been) (?:amended|updated|corrected|"
    r"changed|edited)\b|\ban earlier version of this \w+\b|"
    r"\ban earlier version (?:said|stated|misstated|gave|named|misnamed|wrongly|incorrectly)\b",
    _I,
)
# The newsroom talking about its own coverage: "We are closing this live blog now", "Thank you
# for following our coverage", "You have read 3 of 5 free articles this month".
HOUSEKEEPING = re.compile(
    r"\blive ?(?:blog|coverage|page|updates)\b.*\b(?:clos|pause|end|resum|continu)|"
    r"\b(?:clos|pause|end|resum)\w* (?:this|our) live\b|"
    r"\b(?:thank you|thanks) for (?:following|reading|joining|watching|listening)\b|"
    r"\b\d+ (?:of|out of) \d+ free (?:articles?|stories|reads)\b|"
    r"\bfree (?:articles?|stories) (?:left|remaining)\b",
    _I,
)
# The label of a box that is not the story, whatever its words: a summary that restates it
# ("Key takeaways"), other news ("Elsewhere"), a sponsor, job ads, a quiz, a series' other parts.
BOX_LABEL = re.compile(
    r"^[\W_]*(?:key (?:takeaways|points|facts)|takeaways|at a glance|in brief|in short|"
    r"the short version|summary|tl;? ?dr|what you need to know|the essentials|"
    r"elsewhere(?: \w+){0,4}|in other news|a word from (?:our|the) sponsors?|"
    r"(?:today'?s|tonight'?s|this (?:week|month|issue|episode)'?s|our|episode) sponsors?|"
    r"sponsored(?: content)?|partner content|from our (?:partners|sponsors)|jobs?(?: board)?|"
    r"careers|vacancies|(?:quick |weekly )?quiz|test yourself|"
    r"more (?:explainers|stories|articles)? ?(?:in|from) this series|credits|"
    r"(?:local |news |world |business )?briefs|news in brief|briefly)[\W_]*$",
    _I,
)
# The outlet about itself rather than the story: print editions, translations, AI help,
# funders, how to cite it, being blocked, letters from its readers.
HOUSE_NOTE = re.compile(
    r"\ba version of this (?:article|story|report|piece) (?:appeared|ran|was published)\b|"
    r"\b(?:was|were|is) (?:translated|adapted) from (?:our|the) \S+(?:-language)? "
    r"(?:edition|version|site)\b|"
    r"\b(?:produced|written|generated|created|drafted|summari[sz]ed) (?:with the help of|using|by) "
    r"(?:an? )?(?:ai|artificial intelligence|machine)\b|"
    r"\bsupported by a (?:grant|donation) from\b|"
    r"\bno say over (?:our|the) (?:editorial|coverage)\b|"
    r"^cite this (?:article|story|explainer|page|report)\b|\bsite blocked\b|"
    r"\bthis outlet\b|\bread us (?:through|via|on)\b|\bour (?:mirror|vpn)\b|"
    r"\b(?:have|got) a (?:question|tip|story idea)(?: (?:about|on) (?:this|the) \w+)?\?|"
    r"\byou(?:'re| are) receiving this\b|\bhit reply\b|"
    # Disclaimers and terms of reuse: "The views expressed are the author's own", "When
    # citing, a hyperlink to the agency is required", "Reproduction without permission ...".
    r"\bviews expressed\b.{0,60}\b(?:author|writer|contributor)s?['’]? own\b|"
    r"\bdo not necessarily (?:reflect|represent)\b|"
    r"^when (?:citing|quoting|reproducing|republishing)\b.{0,80}"
    r"\b(?:(?:hyper)?link|credit|reference)|"
    r"\b(?:reproduction|republication|reprinting)\b.{0,60}\bwithout (?:prior )?(?:written )?"
    r"permission\b|"
    # How the page was made: "Transcript generated automatically", "compiled by our editors
    # from the sources below", an e-edition's "Printed pages may differ", a fact-checker's
    # membership of a code of principles.
    r"\btranscripts? (?:(?:was|is|has been) )?(?:generated|produced|created|machine|automatic)|"
    r"\bcheck (?:the |against the )?(?:audio|recording|video|tape) before quoting\b|"
    r"\b(?:compiled|curated|assembled|put together|selected) by (?:\S+ ){0,2}"
    r"(?:editors|newsroom|our (?:staff|team|desk))\b|\bfrom the sources (?:below|above|listed)\b|"
    r"^distributed by\b|\b(?:printed|print) (?:pages?|editions?|versions?) may differ\b|"
    r"\bmay differ from the (?:printed|print|online|digital|e-?edition) (?:version|edition)\b|"
    r"\bverified signatory\b|\bsignatory of the\b.{0,60}\bcode of principles\b|"
    r"^(?:also )?mentioned in this (?:episode|article|story|piece|show)\b|"
    # A translated page about its translations: "Machine translation checked by our editors",
    # "Quotations may differ slightly from the originals".
    r"\b(?:machine|automatic|automated) translations?\b|"
    r"^(?:quotations|quotes|translations|excerpts) (?:may|might|can|could) (?:differ|vary)\b|"
    # A newsletter introducing its writer, and the next issue: "Tonight's letter comes from
    # Ann Lee in Seoul", "Next week in the Digest: ...".
    r"^(?:today|tonight|this (?:morning|evening|week|month))['’]s (?:letter|newsletter|"
    r"edition|issue|briefing|dispatch|email|digest) (?:comes from|is from|is by|is written by|"
    r"was written by|is brought to you by)\b|"
    r"^(?:next (?:week|time|month|issue|edition|episode)|coming (?:up|soon|next))"
    r"(?: (?:in|on) [\w'’ ]{1,40})?:\s|"
    # Asking readers for questions: "Send it in; the best ones may be answered".
    r"^send (?:it|them|yours|your (?:questions?|tips?|stories|letters?|photos?)) in\b",
    _I,
)
# A way to write to the newsroom: a short line with an email address.
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b", _I)
MAX_CONTACT_WORDS = 25
# A note at the foot of the page, numbered as the text's markers are: "[3] UN draft resolution".
FOOTNOTE = re.compile(r"^\[\d{1,3}\]\s+\S")
# An entry of a reference list: a wiki's "^" back-link, "Retrieved 19 June 2024",
# "Archived from the original on ...".
REFERENCE = re.compile(
    rf"^\^\s|\bretrieved (?:on )?{DATE.pattern}|\barchived from the original\b", _I
)
# The heading of a note on how the page was made: what follows, up to the next heading, is
# about the page, not the story ("Sources and method", "About this timeline", "How we did it").
METHOD_HEADING = re.compile(
    r"^[\W_]*(?:(?:sources?|notes?|data) (?:and|&) (?:methods?|methodology)|methods?|"
    r"methodology|about (?:this|the|our) (?:data|timeline|tracker|map|chart|list|project|"
    r"digest|page|explainer)|how we (?:did|made|built|compiled|reported|verified) "
    r"(?:it|this|the \w+))[\W_]*$",
    _I,
)
# The heading of a page's reference apparatus, which holds no story.
REFERENCE_HEADING = re.compile(
    r"^[\W_]*(?:references|notes|footnotes|citations|sources|bibliography|works cited|"
    r"further reading|external links|see also|notes and references)[\W_]*$",
    _I,
)
# A print page's jump line: "See PUTIN, Page A14", "Continued on Page 5", "PUTIN | From Page A1".
JUMP = re.compile(
    r"^(?:see|continued on|cont(?:inued)?\.? on|turn to)\b.{0,40}\bpage [A-Z]?\d{1,3}\W*$|"
    r"\bfrom page [A-Z]?\d{1,3}\W*$",
    _I,
)
# The advertiser's offer in a sponsor read: "20% off your first order with code RANGE20".
PROMO = re.compile(
    r"\b(?:promo|discount|coupon|offer) code\b|\b(?:with|use) (?:the )?code [A-Z0-9]{3,}\b|"
    r"\b\d{1,2} ?% off (?:your|their|our|the first|first|all|any|every|an?)\b",
    _I,
)
# A dateline standing alone on its line: "PYONGYANG, June 19."
DATELINE_LINE = re.compile(
    rf"^[A-Z][A-Z.'’ -]{{2,}}(?:, [A-Z][a-z]+(?: [A-Z][a-z]+)*)?,? (?i:{_MONTH}) \d{{1,2}}"
    r"(?:,? \d{4})?\.?$"
)
# A newsletter's hello: "Good morning, and thank you to the 340 of you who joined us".
GREETING = re.compile(
    r"^(?:good (?:morning|afternoon|evening)|hello|hi|hey|dear (?:readers?|subscribers?)|"
    r"welcome(?: back)? to)\b.*\b(?:you|your|us|we|our)\b",
    _I,
)
# A broadcast's or a chat's pleasantries to a named person: "Good morning, Mara.", "Thank you,
# Daniel.", "Daniel Kwon in Seoul, thank you."
PLEASANTRY = re.compile(
    r"^(?:(?i:good (?:morning|afternoon|evening)|hello|hi|thanks|thank you)"
    r"(?: (?:again|very much))?,? [A-Z][\w'’-]+(?: [A-Z][\w'’-]+)?|"
    r"[A-Z][\w'’-]+(?: [A-Z][\w'’-]+){0,2}(?: in [A-Z][\w'’-]+)?,? (?:thanks|thank you)"
    r"(?: (?:so|very) much)?)[.!]?$"
)
# A broadcast handing over to a reporter: "Daniel Kwon is following this from Seoul."
HANDOFF = re.compile(
    r"^[A-Z][\w'’-]+(?: [A-Z][\w'’-]+){0,2} (?:is|are) (?:following|covering|watching|tracking)"
    r" (?:this|that|it|the story|events)(?: for us)? (?:from|in) [A-Z][\w'’ -]{1,40}[.!]?$"
)
# A keyboard shortcut belongs to the site's tools ("Select the text and press Ctrl+Enter").
_KEYS = re.compile(r"\b(?:ctrl|cmd|alt|shift)\s*\+\s*\w", _I)
# An author's note at the foot of a page: "Daria Lind is the Moscow correspondent of ...".
AUTHOR_BIO = re.compile(
    r"^(?:[A-Z][\w'’.-]+ ){1,3}(?:is|was|has been|writes as) (?:a|an|the|our)\b[^.]{0,80}?"
    r"\b(?:correspondent|reporter|editor|writer|journalist|columnist|contributor|producer|"
    r"bureau chief|news ?editor|staff writer)s?\b",
)
# "A post shared by ...:", "Watch: ..." — the line that introduces an embedded post or clip.
EMBED_INTRO = re.compile(
    r"^(?:an? )?(?:post|tweet|message|video|clip|reel|photo) (?:shared|posted|published|"
    r"uploaded) (?:by|on|to)\b.{0,120}:?$",
    _I,
)
RELATED = re.compile(
    r"^[\W_]*(?:read (?:also|more|next)|see also|also read|related(?: \w+){0,2}|"
    r"more (?:from|on|stories|news|in)\b.*|other (?:topics|stories|news)(?: of interest)?|"
    r"you (?:may|might) (?:also )?(?:like|be interested in)|recommended(?: for you)?|"
    r"most (?:read|popular|viewed)|trending(?: now)?|don'?t miss|editor'?s picks?|"
    r"latest(?: \w+)?|top stories|what to read next|further reading|show notes)[\W_]*(?::.*)?$",
    _I,
)
_APPEAL = re.compile(
    r"\bdonat(?:e|es|ed|ing|ion|ions)\b|\bpatrons?\b|\bpatreon\b|\bsubscri(?:be|bed|ption|ber)s?\b|"
    r"\bnewsletters?\b|\bsign(?:ing)? up\b|\bjoin (?:our|us)\b|\breaders like you\b|"
    r"\bsupport (?:us|our|independent)\b|\bbecome an? (?:member|patron|subscriber|supporter)\b|"
    r"\bcup of coffee\b|\bemail address\b|\binbox\b|\bpaywall\b|\bmembership\b|"
    r"\bways to support\b|\bfree (?:information|journalism|press)\b|\bmake a contribution\b|"
    # A podcast's: rate the show, join its paid tier, the rest is for members.
    r"\brate (?:us|the show|this (?:show|podcast|episode))\b|\bleave (?:us )?a (?:rating|review)\b|"
    r"\bad-free\b|\bjoin (?:for|from) [$€£]?\d|\b(?:members|subscribers|supporters)[- ]only\b|"
    r"\bthe rest of this (?:article|story|transcript|episode|piece|post) is\b",
    _I,
)
_INTERACTION = re.compile(
    r"\b(?:click|tap|press|swipe|scroll|download|follow us|write to us|contact us|email us|"
    r"let us know|highlight(?:ing)? the text|ctrl|enter|correction|tip(?:s|-?off)?|app)\b",
    _I,
)
_IMPERATIVE = re.compile(
    r"^(?:click|tap|swipe|download|follow|subscribe|sign up|share|watch|listen|read more|"
    r"get the|install|register|log ?in)\b",
    _I,
)
_WRITE_TO_US = re.compile(
    r"\b(?:write|talk|send|email|e-mail|tip|message) (?:to )?us\b|\bcontact us\b|"
    r"\bsuggest a correction\b|\breport an? (?:error|typo|mistake)\b",
    _I,
)
_READER = re.compile(r"\b(?:you|your|yours)\b", _I)
_US = re.compile(r"\b(?:we|our|us)\b", _I)
_QUOTED = re.compile(r"[“\"][^”\"]*[”\"]")
_NAV_WORDS = word_set(
    """home menu search news world video videos watch live latest highlights sections top
    back to next previous skip content main navigation more opinion sport business login log
    in sign subscribe account close open"""
)


def is_date_line(text: str) -> bool:
    """A line that is a date or timestamp and little else."""
    if not DATE.search(text):
        return False
    rest = _WEEKDAY.sub(" ", _TIME.sub(" ", DATE.sub(" ", text)))
    return len(re.findall(r"[^\W\d_]{2,}", rest)) <= 3


def _word_count(text: str) -> int:
    return len(text.split())


def _unquoted(text: str) -> str:
    return _QUOTED.sub(" ", text)


# The page speaking to its reader: "you" outside quotes. A news report's own sentences rarely
# do (one story line in the five labelled sets, in a column), while newsletters' asides,
# promotions and site notices do. "We" and "us" are not enough: reporters write "residents
# told us" and "we learned on Tuesday" (seven story lines in one set).
_VOICE = re.compile(r"\b(?:you|your|yours|yourself|yourselves)\b", _I)
_QUOTE_MARK = re.compile(r"[“”\"]")


def in_outlet_voice(text: str) -> bool:
    """Whether the line, outside its quotes, addresses the reader. A line with a quote left
    open (a quotation running over several paragraphs) is never one: its "you" may be the
    speaker's."""
    bare = _unquoted(text)
    return not _QUOTE_MARK.search(bare) and bool(_VOICE.search(bare))


def noise_anywhere(sentence: str) -> bool:
    """Page furniture that is never story wherever it sits, so it goes even inside a
    paragraph (an article pasted as one block, its footer run into the last paragraph): a
    short line giving an email address, a link to a social post, a line opening with a
    copyright sign, an advert's marker or promo code, a broadcast's pleasantries. Other kinds
    need a line of their own to be told from story ("The copyright dispute ..." is story)."""
    words = _word_count(sentence)
    return (
        _is_contact(sentence, words)
        or bool(SOCIAL_LINK.search(sentence))
        or bool(LEGAL_START.match(sentence))
        or bool(ADVERT.match(sentence))
        or _is_promo(_unquoted(sentence), words)
        # A broadcast's greeting to a named person and its hand-over to a reporter, run
        # into one paragraph: "Ann Lee is following this from Seoul. Good morning, Ann."
        or _is_pleasantry(sentence, words)
        or bool(HANDOFF.match(sentence))
    )


def _is_contact(text: str, words: int) -> bool:
    return words <= MAX_CONTACT_WORDS and bool(EMAIL.search(text))


def _is_promo(bare: str, words: int) -> bool:
    return words <= 40 and bool(PROMO.search(bare))


def _is_pleasantry(text: str, words: int) -> bool:
    return words <= 8 and bool(PLEASANTRY.match(text))


def line_noise(text: str) -> str | None:
    """The kind of page furniture this line is, or None."""
    words = _word_count(text)
    bare = _unquoted(text)
    lowered = {w.strip(".,:;!|·•-–—()[]").casefold() for w in text.split()}
    checks: list[tuple[str, bool]] = [
        ("advert", bool(ADVERT.match(text))),
        ("share", words <= 10 and bool(lowered) and lowered <= _SHARE_WORDS),
        ("navigation", words <= 4 and bool(lowered) and lowered <= _NAV_WORDS),
        ("byline", words <= 25 and (_is_byline(text, words) or bool(STAMP.match(text)))),
        ("reading-time", words <= 15 and bool(READING_TIME.search(text))),
        ("date", words <= 12 and (is_date_line(text) or bool(DATELINE_LINE.match(text)))),
        ("footnote", bool(FOOTNOTE.match(text))),
        ("comments", words <= 30 and bool(COMMENTS.search(text))),
        ("photo-credit", bool(CREDIT.search(text))),
        # Before captions: "Copyright (c) 2024" is not a "(c)entre" position.
        ("legal", (words <= 40 and bool(LEGAL.search(text))) or bool(LEGAL_START.match(text))),
        ("caption", words <= 40 and bool(CAPTION.search(text))),
        ("reference", words <= 60 and bool(REFERENCE.search(text))),
        ("jump", words <= 12 and bool(JUMP.search(text))),
        ("advert", _is_promo(bare, words)),
        ("social-post", bool(SOCIAL_LINK.search(text) or POST_HANDLE.match(text))),
        ("related", words <= 15 and bool(RELATED.match(text))),
        ("correction", words <= 60 and bool(CORRECTION.search(bare))),
        ("house-note", words <= 45 and bool(HOUSE_NOTE.search(bare))),
        ("contact", _is_contact(text, words)),
        ("greeting", words <= 30 and bool(GREETING.match(bare))),
        ("pleasantry", _is_pleasantry(text, words)),
        ("handoff", bool(HANDOFF.match(text))),
        ("box", words <= 8 and bool(BOX_LABEL.match(text))),
        ("housekeeping", words <= 40 and bool(HOUSEKEEPING.search(bare))),
        ("embed", words <= 30 and bool(EMBED_INTRO.match(text))),
        ("appeal", _is_appeal(bare, words)),
        ("reader-prompt", _is_reader_prompt(bare, words)),
    ]
    return next((kind for kind, hit in checks if hit), None)


def _is_byline(text: str, words: int) -> bool:
    """ "By Delia Marchetti", "Produced by ...", but not "By Thursday the council had ...": a
    bare "By" line that reads as a sentence is story."""
    if not BYLINE.match(text):
        return False
    bare_by = text[:3].casefold() == "by "
    return not (bare_by and words >= 8 and text.rstrip("\"'”’)").endswith((".", "!", "?")))


def _is_appeal(bare: str, words: int) -> bool:
    cues = len(_APPEAL.findall(bare))
    addressed = len(_READER.findall(bare)) + len(_US.findall(bare))
    return cues >= 2 or (cues == 1 and (addressed >= 1 or words <= 12))


def _is_reader_prompt(bare: str, words: int) -> bool:
    if words <= 12 and _IMPERATIVE.match(bare):
        return True
    if words <= 30 and (_WRITE_TO_US.search(bare) or _KEYS.search(bare)):
        return True
    return bool(_READER.search(bare)) and bool(_INTERACTION.search(bare)) and words <= 40
