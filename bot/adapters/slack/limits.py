"""Slack Web API, Block Kit and manifest limits the adapter respects, in one place."""

from __future__ import annotations

SECTION_CHARS = 3000
BLOCKS_PER_MESSAGE = 50
HEADER_CHARS = 150
MESSAGE_TEXT_CHARS = 40000
ACK_SECONDS = 3.0
CHANNEL_MESSAGE_INTERVAL_SECONDS = 1.0  # about one chat.postMessage per second per channel
CONTEXT_ELEMENTS = 10
ACTIONS_ELEMENTS = 25
BUTTON_TEXT_CHARS = 75
BUTTON_VALUE_CHARS = 2000
RESPONSE_URL_POSTS = 5  # posts a response_url accepts, within 30 minutes
# Requests whose X-Slack-Request-Timestamp is further off than this are rejected (by bolt).
SIGNATURE_MAX_AGE_SECONDS = 300
# Slack retries an unacknowledged event up to 3 times within about an hour.
EVENT_RETRY_WINDOW_SECONDS = 3600
# Our choice, not Slack's: the notification fallback `text` stays short (Slack cuts at 40,000).
FALLBACK_TEXT_CHARS = 3000
# App manifest
MAX_SLASH_COMMANDS = 50
SLASH_COMMAND_CHARS = 32  # including the leading slash
SLASH_DESCRIPTION_CHARS = 2000
SLASH_USAGE_HINT_CHARS = 1000
APP_NAME_CHARS = 35
APP_DESCRIPTION_CHARS = 140
BOT_DISPLAY_NAME_CHARS = 80
# Slack's own slash commands; an app cannot take these names (a conservative list).
BUILTIN_COMMANDS = frozenset(
    {
        "active", "apps", "archive", "away", "call", "collapse", "dm", "dnd", "expand",
        "feed", "feedback", "help", "invite", "invite_people", "join", "kick", "leave",
        "me", "msg", "mute", "open", "prefs", "remind", "remove", "rename", "search",
        "shortcuts", "shrug", "star", "status", "topic", "who",
    }
)  # fmt: skip

# Ours, not Slack's: characters of point text per digest message, so that it fits one Block
# Kit section (3,000) and reads as one piece in the channel.
MESSAGE_BUDGET = 2800
