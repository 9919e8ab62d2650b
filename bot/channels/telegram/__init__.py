"""The Telegram channel (`channel`), how it draws replies (`drawing`), and its flood limits (`limits`)."""
