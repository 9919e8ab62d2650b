"""The Slack channel (`channel`), and replies as Block Kit (`blocks`)."""
