"""What the bot says only on Slack: the app's descriptions and the Share button."""

from __future__ import annotations

APP_DESCRIPTION = "Briefs you on a news event: key points by topic, each citing its sources."
BRIEF_DESCRIPTION = "A briefing: a topic or a command, e.g. treaty, digest, search missiles"
BRIEF_USAGE = "[topic or command] [words]"
SHARE_BUTTON = "Share in channel"
SOURCES_LABEL = "Sources"
SHARE_FAILED = "I could not post that in this channel. Invite me to it, or try again in a minute."
