"""Every platform limit the renderers and adapters respect, in one place."""

from __future__ import annotations

# Telegram Bot API
TELEGRAM_MESSAGE_CHARS = 4096  # UTF-16 code units of the text after entity parsing
TELEGRAM_MESSAGE_ENTITIES = 100  # formatting past the 100th entity is silently dropped
TELEGRAM_CAPTION_CHARS = 1024
TELEGRAM_CALLBACK_DATA_BYTES = 64
TELEGRAM_MAX_BOT_COMMANDS = 100
TELEGRAM_COMMAND_DESCRIPTION_CHARS = 256
TELEGRAM_MESSAGES_PER_SECOND = 30
TELEGRAM_GROUP_MESSAGES_PER_MINUTE = 20
TELEGRAM_PRIVATE_MESSAGES_PER_SECOND = 1
TELEGRAM_COMMAND_NAME_CHARS = 32
TELEGRAM_INLINE_KEYBOARD_BUTTONS = 100
TELEGRAM_WEBHOOK_SECRET_CHARS = 256

# Slack Web API and Block Kit
SLACK_SECTION_CHARS = 3000
SLACK_BLOCKS_PER_MESSAGE = 50
SLACK_HEADER_CHARS = 150
SLACK_MESSAGE_TEXT_CHARS = 40000
SLACK_ACK_SECONDS = 3.0
SLACK_CHANNEL_MESSAGE_INTERVAL_SECONDS = 1.0  # about one chat.postMessage per second per channel
SLACK_CONTEXT_ELEMENTS = 10
SLACK_ACTIONS_ELEMENTS = 25
SLACK_BUTTON_TEXT_CHARS = 75
SLACK_BUTTON_VALUE_CHARS = 2000
SLACK_RESPONSE_URL_POSTS = 5  # posts a response_url accepts, within 30 minutes
# Requests whose X-Slack-Request-Timestamp is further off than this are rejected (by bolt).
SLACK_SIGNATURE_MAX_AGE_SECONDS = 300
# Slack retries an unacknowledged event up to 3 times within about an hour.
SLACK_EVENT_RETRY_WINDOW_SECONDS = 3600
# Our choice, not Slack's: the notification fallback `text` stays short (Slack cuts at 40,000).
SLACK_FALLBACK_TEXT_CHARS = 3000
# App manifest
SLACK_MAX_SLASH_COMMANDS = 50
SLACK_SLASH_COMMAND_CHARS = 32  # including the leading slash
SLACK_SLASH_DESCRIPTION_CHARS = 2000
SLACK_SLASH_USAGE_HINT_CHARS = 1000
SLACK_APP_NAME_CHARS = 35
SLACK_APP_DESCRIPTION_CHARS = 140
SLACK_BOT_DISPLAY_NAME_CHARS = 80
# Slack's own slash commands; an app cannot take these names (a conservative list).
SLACK_BUILTIN_COMMANDS = frozenset(
    {
        "active", "apps", "archive", "away", "call", "collapse", "dm", "dnd", "expand",
        "feed", "feedback", "help", "invite", "invite_people", "join", "kick", "leave",
        "me", "msg", "mute", "open", "prefs", "remind", "remove", "rename", "search",
        "shortcuts", "shrug", "star", "status", "topic", "who",
    }
)  # fmt: skip

# Console: none, but keep lines readable.
CONSOLE_WIDTH = 100
