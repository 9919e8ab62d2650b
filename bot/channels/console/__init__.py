"""The console channel: chat in a terminal, no token needed (`channel`)."""
