"""Every sentence the bot says to users. Placeholders use str.format names."""

from __future__ import annotations

WELCOME_TITLE = "Welcome to {bot_name}"
WELCOME = "I brief you on {event}: short key points, grouped by topic, each citing its sources."
WELCOME_NEXT = "Try /digest for the essentials, /topics for everything I cover, or /help."

HELP_TITLE = "What I can do"
HELP_TOPICS_HEADING = "Topics"
HELP_COMMANDS_HEADING = "Commands"
HELP_ADMIN_HEADING = "For admins"
HELP_FOOTER = "Commands work with or without the slash, in any letter case."

TOPICS_TITLE = "Topics"
TOPIC_LINE = "{title}: {count} point{s}, updated {updated}"
TOPIC_LINE_EMPTY = "{title}: no points yet"
TOPICS_FOOTER = "{points} points from {sources} sources. Send a topic's command to read it."
NO_TOPICS = "There are no topics yet. An admin can add briefings with /add."

TOPIC_EMPTY = "Nothing has been published on this topic yet."
TOPIC_FOOTER = "{count} point{s} · updated {updated} · corroborated points cite several sources"
TOPIC_PAGE_TITLE = "{title} (page {page} of {pages})"
TOPIC_PAGE_FOOTER = "Points {first}-{last} of {total}, most important first · updated {updated} · corroborated points cite several sources"
TOPIC_LAST_PAGE_FOOTER = "Points {first}-{last} of {total}: the last page · updated {updated}"
TOPIC_MORE = "More (page {page} of {pages})"
TOPIC_PAGE_NOT_A_NUMBER = "{value} is not a page number."
TOPIC_NO_SUCH_PAGE = "There is no page {page} of {command}."
TOPIC_PAGES_HINT = "{command} has {pages} pages: {command} 2 shows the second."
TOPIC_ONE_PAGE_HINT = "{command} fits on one page: send {command} to read it."
ALSO_KNOWN_AS = "Also: {names}"

DIGEST_TITLE = "Digest: {event}"
DIGEST_MORE = "{count} more in /{slug}"
DIGEST_FOOTER = "Top points per topic, most important first. /topics lists everything."
DIGEST_EMPTY = "There is nothing to digest yet."

SEARCH_USAGE = "Tell me what to look for, for example: /search missiles"
SEARCH_NO_WORDS = (
    "I could not find any words to search for in that. Try plain words, e.g. /search treaty."
)
SEARCH_TITLE = "Search: {query}"
SEARCH_NONE = "No key points mention {query}. Try a different word, or see /topics."
SEARCH_ANY_WORD = "No point has all of those words; these have some of them."
SEARCH_FOOTER = "{count} best match{es}. Send a topic's command for the whole topic."
SEARCH_FOOTER_ONE = "The only match. Send its topic's command for the whole topic."

SOURCES_TITLE = "Sources"
SOURCE_LINE = "{outlet}: {headline}"
SOURCE_CITED = "cited by {count} point{s}"
SOURCES_EMPTY = "No sources are recorded yet."

UNKNOWN_COMMAND = "I don't know /{name}."
DID_YOU_MEAN = "Did you mean {suggestions}?"
SEE_HELP = "Send /help to see what I can do."
NOT_A_COMMAND = "Send a command such as /digest or /treaty. /help lists them all."
EMPTY_MESSAGE = "Send a command such as /digest, /topics or /help."
TOO_LONG = "That message is {length} characters long; commands fit in {limit}."
BAD_COMMAND_NAME = "Commands are short words made of letters, such as /treaty. /help lists them."
INTERNAL_ERROR = "Something went wrong on my side; nothing was changed. Please try again later."

NOT_ADMIN = "Only admins can use /{name}. Nothing was changed."

WHOAMI_TITLE = "Who you are here"
WHOAMI = "Your {platform} user id is {user_id}."
WHOAMI_ADMIN = "You are an admin of this bot."
WHOAMI_NOT_ADMIN = "You are not an admin of this bot; an admin can /grant you admin rights."

ADD_USAGE = "Usage: /add <topic> <text> [sources: key, key]. Example: /add treaty Both sides call the pact defensive. sources: iria"
ADD_DONE = "Added point #{id} to /{slug}."
EDIT_USAGE = "Usage: /edit <point id> <new text>. Point ids show as #12 after each point."
EDIT_DONE = "Point #{id} in /{slug} is now version {version}."
REMOVE_USAGE = "Usage: /remove <point id>. Point ids show as #12 after each point."
REMOVE_DONE = "Removed point #{id} from /{slug}. /undo brings it back."
UNDO_DONE = "Undid your {action} of point #{id}."
UNDO_REJECTION = "Undid your rejection of {count} proposal{s}: {they_are} pending again."
UNDO_TOPICS_REMOVED = "The new topic{s} it created, {names}, {are} gone again."
UNDO_APPROVAL = "Undid your approval of {count} proposal{s}: {they_are} pending again, and the points it published or cited are as they were."
NOTHING_TO_UNDO = "You have nothing left to undo."
UNDO_CONFLICT = "#{id} was changed by {who} after your {action}; undo refused, nothing changed. /edit {id} changes it by hand."
BAD_POINT_ID = "{value} is not a point id. Point ids are numbers, shown as #12 after each point."
UNKNOWN_POINT = "There is no point #{id}. Point ids show as #12 after each point."
UNKNOWN_TOPIC = "There is no topic called {name}."
UNKNOWN_SOURCES = "Unknown sources: {keys}. /sources lists the keys."
TEXT_EMPTY = "The point's text is empty."
TEXT_TOO_SHORT = "A point needs at least {limit} characters."
TEXT_TOO_LONG = "A point can be at most {limit} characters; write one or two sentences."

# Topics and where points sit in them
TOPIC_ADD_USAGE = (
    "/topic add <slug> <title>, e.g. /topic add sanctions Sanctions and export controls"
)
TOPIC_RENAME_USAGE = (
    "/topic rename <topic> <new slug> [new title]: the old slug keeps working as an alias"
)
TOPIC_TITLE_USAGE = "/topic title <topic> <new title>"
TOPIC_ALIAS_USAGE = "/topic alias <topic> <alias>"
TOPIC_UNALIAS_USAGE = "/topic unalias <topic> <alias>"
TOPIC_REMOVE_USAGE = "/topic remove <topic> [--force]: --force retracts the topic's points with it"
USAGE = "Usage: {usage}"
TOPIC_USAGE_TITLE = "Managing topics"
TOPIC_ADDED = "Added topic /{slug} ({title}). It has no points yet: /add {slug} <text> adds one."
TOPIC_RENAMED = "Renamed /{old} to /{slug}; /{old} still works as an alias."
TOPIC_RETITLED = "/{slug} is now titled {title}."
TOPIC_ALIASED = "/{alias} now leads to /{slug}."
TOPIC_UNALIASED = "/{alias} no longer leads to /{slug}."
TOPIC_REMOVED = "Removed topic /{slug}."
TOPIC_REMOVED_FORCED = (
    "Removed topic /{slug} and retracted its {count} point{s} (kept in the audit trail)."
)
BAD_SLUG = "{value} cannot be a topic command: use 1 to 32 lowercase letters a-z and digits, starting with a letter, e.g. sanctions or vietnam2."
TITLE_EMPTY = "The topic needs a title."
TITLE_TOO_LONG = "A topic's title can be at most {limit} characters."
RESERVED_NAME = "/{name} is one of my commands, so a topic cannot use it. Nothing was changed."
RESERVED_WORD = "{name} is a word my commands read (as in /approve all or /subscribe weekdays full), so a topic cannot use it. Nothing was changed."
TOPIC_EXISTS = "/{name} is taken: it already leads to /{holder}. Nothing was changed."
UNKNOWN_ALIAS = "/{slug} has no alias {alias}."
TOPIC_NOT_EMPTY = "/{slug} still has {count} point{s}. Move or remove them first, or send /topic remove {slug} --force to retract them with the topic."
MOVE_USAGE = "Usage: /move <point id> <topic>, e.g. /move 12 arms."
MOVE_DONE = "Moved point #{id} from /{old} to /{slug}. /undo moves it back."
IMPORTANCE_USAGE = "Usage: /importance <point id> <1-5>. 5 is the most important; topics list their points most important first."
IMPORTANCE_DONE = "Point #{id} in /{slug} now has importance {importance}. /undo sets it back."
BAD_IMPORTANCE = (
    "{value} is not an importance: use a whole number from 1 to 5 (5 is the most important)."
)
ALREADY_IN_TOPIC = "Point #{id} is already in /{slug}."
SAME_IMPORTANCE = "Point #{id} already has importance {importance}."

AUDIT_TITLE = "Recent changes"
AUDIT_EMPTY = "Nothing has been changed yet."
AUDIT_LINE = "{at} {actor} {action} {entity}{target}"

GRANT_USAGE = "Usage: /grant <user id> to make someone an admin on this platform."
REVOKE_USAGE = "Usage: /revoke <user id>."
GRANTED = "{user} is now an admin on {platform}."
ALREADY_ADMIN = "{user} is already an admin on {platform}."
REVOKED = "{user} is no longer an admin on {platform}."
NOT_AN_ADMIN = "{user} is not an admin granted in chat on {platform}."
BAD_USER_ID = "{value} does not look like a user id. /whoami shows what ids look like here."
ADMINS_TITLE = "Admins"
ADMINS_CONFIGURED = "From configuration"
ADMINS_GRANTED = "Granted in chat"
ADMINS_NONE = "none"

# Scheduled digests
SCHEDULED_DIGEST_TITLE = "{event}: digest for {date}"
DIGEST_FULL_INTRO = "Everything so far, most important first."
DIGEST_CHANGES_INTRO = "{count} new or updated point{s} since your last digest."
SCHEDULED_DIGEST_FOOTER = "/schedule shows your digest settings; /unsubscribe stops them."
SUBSCRIBE_DONE = "Subscribed. {summary}"
SUBSCRIBE_NEXT = "Next digest: {next}."
SUBSCRIBE_HELP = (
    "Usage: /subscribe [HH:MM] [Area/City] [days] [topics...] [full|changes], for example "
    "/subscribe 07:30 Europe/Kyiv weekdays or /subscribe 18:00 Asia/Seoul mon,wed,fri treaty arms full. "
    "Defaults: 08:00, {zone}, every day, all topics, changes only."
)
SUBSCRIBE_BAD_TIME = (
    "{value} is not a time of day. Use 24-hour HH:MM such as 07:30, or 7am / 6:30pm."
)
SUBSCRIBE_BAD_ZONE = (
    "{value} is not a time zone I know. Use an IANA name such as Europe/Kyiv, Asia/Seoul or UTC."
)
SUBSCRIBE_BAD_WORD = "I don't understand {value}. Expected a time (07:30), a zone (Europe/Kyiv), days (weekdays, mon,wed,fri), topics or full/changes."
SUBSCRIBE_TWICE = "You gave more than one {what}; give one."
SUBSCRIBE_CONFLICT = "{first} and {second} do not go together; give one of them."
SUBSCRIBE_NOT_ALLOWED = (
    "Only this chat's admins or the bot's admins can change its digest. Nothing was changed."
)
SUBSCRIBE_UNAVAILABLE = "Scheduled digests are not available here."
UNSUBSCRIBE_DONE = "Unsubscribed: this chat gets no more scheduled digests."
UNSUBSCRIBE_NONE = "This chat has no digest subscription. /subscribe starts one."
SCHEDULE_TITLE = "Digest schedule"
SCHEDULE_NONE = "This chat has no digest subscription. /subscribe starts one, e.g. /subscribe 08:00 Europe/Kyiv."
SCHEDULE_SUMMARY = "At {time} {zone}, {days}; {topics}; {mode}."
SCHEDULE_ALL_TOPICS = "all topics"
SCHEDULE_MODE_CHANGES = "only what changed since the last digest"
SCHEDULE_MODE_FULL = "everything each time"
SCHEDULE_NEXT = "Next: {next}."
SCHEDULE_LAST = "Last: {state} for {slot}."
SCHEDULE_PAUSED = "Paused: {reason}. /subscribe again to resume."
ADMIN_PAUSED_NOTICE = "Digests to {platform} chat {chat} are paused: {reason}."
POST_EMPTY = "There is nothing to post yet."

# Ingestion and review
INGEST_USAGE = (
    "Give me an article: /ingest followed by its text or a link, or reply /ingest to a message "
    "holding it, or send a .txt or .html file with /ingest as its caption. Optional lines: "
    "outlet: ..., title: ..., date: YYYY-MM-DD."
)
INGEST_NO_FILE = (
    "I could not download that file. Send it again, or paste the article. Nothing was changed."
)
INGEST_NO_FETCH = "I can't fetch links here. Paste the article's text after /ingest instead."
INGEST_BAD_SCHEME = "Only http and https links can be fetched."
INGEST_BAD_URL = "{value} is not an http or https address."
INGEST_BAD_DATE = "{value} is not a date. Use YYYY-MM-DD, for example date: 2024-06-19."
INGEST_META_TOO_LONG = (
    "The {key} is too long: it can be at most {limit} characters. Nothing was changed."
)
INGEST_FAILED = "I could not read that article. Nothing was changed."
INGEST_REJECTED = {
    "empty": "That article is empty. Nothing was changed.",
    "no_story": "Nothing that reads like a news story was left once the page clutter was gone. Nothing was changed.",
    "too_long": "That article is over 200,000 characters; send a single story. Nothing was changed.",
    "too_large": "That file is over 5 MB; send the article as a .txt or .html file under 5 MB. Nothing was changed.",
    "binary": "That file is not text. Send a .txt or .html file, or paste the article. Nothing was changed.",
    "not_english": "That article does not look like English, the only language I can read yet. Nothing was changed.",
}
INGEST_ALREADY = (
    "I already have that article as source {key} ({headline}): {pending} proposals pending, "
    "{approved} approved, {rejected} rejected. Nothing new was added."
)
INGEST_NOTHING_NEW = "Source {key} is recorded, but I found no new key points in it to propose."
INGEST_TITLE = "Proposed from {outlet}"
INGEST_INTRO = "{headline}: {count} proposal{s}, most important first."
INGEST_COPY = (
    "Most of it is source {key} ({headline}) again: {copied} of its statements were proposed"
    " from that one already. Only what is new is proposed, cited to that source, so a copy"
    " never counts as a second source."
)
INGEST_UNRELATED = (
    "It shares next to nothing with the briefing's topics, so its proposals make a new topic,"
    " /{slug}; approve the ones that belong, or reject them all."
)
PROPOSALS_TITLE = "Proposals waiting for review"
PROPOSALS_INTRO = "{count} proposal{s} {are} pending."
PROPOSALS_NONE = "No proposals are pending. /ingest an article to get some."
PROPOSALS_FOOTER = "/approve <ids|all> [topic] publishes, /reject <ids|all> drops."
PROPOSALS_FOLD_NOTE = (
    "p{id} → #{point} cites the article on point #{point} instead of adding a point."
)
PROPOSALS_MORE = "{count} more: /proposals lists them all."
PROPOSALS_TOO_LONG = "Too long to propose as they are (summarise them with /add)"
PROPOSAL_SAME_AS = "same as #{id}: {text}"
PROPOSAL_NEW_TOPIC = "no topic fits: new topic /{slug}, {title}"
PROPOSAL_OR = "or {second}"
PROPOSAL_ALSO_CITED = "the article is also cited on {ids}"
PROPOSAL_NEEDS_CONTEXT = "needs context: check who or what it refers to"
APPROVE_ALL = "Approve all"
REJECT_ALL = "Reject all"
CHOICE_USAGE = "Say which proposals: ids such as 12 13 or 12-15, or all. /proposals lists them."
CHOICE_BAD_WORD = "{value} is not a proposal id or a topic. Proposal ids show as p12."
CHOICE_NO_TOPIC = "There is no topic {value}. /topics lists them; nothing was changed."
CHOICE_ALL_ALONE = (
    "Use all on its own (or all and a topic), not with ids: /approve all, /approve 12 13."
)
CHOICE_TOO_MANY = "That is more than {limit} proposals at once; use all, or fewer ids."
UNKNOWN_PROPOSAL = "There is no proposal p{id}. /proposals lists the pending ones."
APPROVED_PUBLISHED = "Published {count} new point{s}: {ids}."
APPROVED_CITED = "Added the article as a source of {count} existing point{s}: {ids}."
APPROVED_TOPICS = "New topics: {names}."
APPROVED_REFILED = "#{id} is filed under /{slug}: /{removed} was removed."
APPROVED_UNFOLDED = "#{removed} was removed, so #{id} is a new point."
UNDO_HINT = "/undo takes it back."
REJECTED_DONE = "Rejected {count} proposal{s}."
DECIDED_ALREADY = "Already decided, left as they were: {ids}."
NOTHING_PENDING = "No pending proposals matched; nothing was changed."


def counted(template: str, count: int, **fields: object) -> str:
    """`template` filled in with `count` and the words that agree with it: {s} and {es} (the
    plural ending), {are} and {they_are}: "1 proposal is", "2 proposals are"."""
    one = count == 1
    return template.format(
        count=count,
        s="" if one else "s",
        es="" if one else "es",
        are="is" if one else "are",
        they_are="it is" if one else "they are",
        **fields,
    )
