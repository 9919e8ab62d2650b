"""Gangmaker: the chat-based participation bot for Kortrijk 2030."""
