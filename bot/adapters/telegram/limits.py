"""Telegram Bot API limits the renderer, the rate limiter and the menu respect, in one place."""

from __future__ import annotations

MESSAGE_CHARS = 4096  # UTF-16 code units of the text after entity parsing
MESSAGE_ENTITIES = 100  # formatting past the 100th entity is silently dropped
CAPTION_CHARS = 1024
CALLBACK_DATA_BYTES = 64
MAX_BOT_COMMANDS = 100
COMMAND_DESCRIPTION_CHARS = 256
MESSAGES_PER_SECOND = 30
GROUP_MESSAGES_PER_MINUTE = 20
PRIVATE_MESSAGES_PER_SECOND = 1
COMMAND_NAME_CHARS = 32
INLINE_KEYBOARD_BUTTONS = 100
WEBHOOK_SECRET_CHARS = 256
# Telegram keeps an update it could not deliver (no 2xx from the webhook) for up to 24 hours,
# trying again meanwhile.
UPDATE_REDELIVERY_HOURS = 24

# Ours, not Telegram's: characters of point text per digest message, below the 4,096 per
# message with room for markup and the source list, so the renderer rarely splits one further.
MESSAGE_BUDGET = 2800
