"""Channels: each turns its platform's messages into `Inbound` events and draws the replies."""
