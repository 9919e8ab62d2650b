"""Shared test helpers: a chat client for the core, a controllable clock, database set-up."""
