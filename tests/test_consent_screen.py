"""The consent screen (issue 25): "Meer uitleg" is not offered again once it was read."""


async def test_more_explanation_is_not_offered_again_once_read(chat, engine):
    await chat.send("/start")
    await chat.tap("Meer uitleg")
    assert "Stad Kortrijk is verantwoordelijk" in chat.text
    assert "Meer uitleg" not in chat.buttons
    assert chat.buttons[:2] == ["Ja, dat is goed", "Nee, liever niet"] and "English" in chat.buttons
    await chat.tap("Français")  # another language: the short question again, "Plus d'explications" with it
    assert len(chat.buttons) == 6
