"""Channels: each turns its platform's messages into `Inbound` events and draws the replies.

One folder per channel, each a `bot.channels.base.Channel`, listed in `bot.channels.registry`;
`fallbacks` draws what a channel has no drawing of its own for."""
